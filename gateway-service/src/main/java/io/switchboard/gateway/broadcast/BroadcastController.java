package io.switchboard.gateway.broadcast;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.switchboard.gateway.api.ApiError;
import io.switchboard.gateway.api.ApiException;
import io.switchboard.gateway.api.ApiJson;
import io.switchboard.gateway.api.ApiProperties;
import io.switchboard.kafka.KafkaSender;
import io.switchboard.protocol.RawJson;
import io.switchboard.protocol.envelope.BroadcastCodec;
import io.switchboard.protocol.envelope.Topics;
import io.switchboard.protocol.frame.ServerFrame;
import io.switchboard.protocol.id.MessageIds;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/v1/broadcast}: an announcement to every session connected right now, on every
 * node. Answered once Kafka accepted it; at most once, never stored or replayed.
 */
@RestController
@Tag(name = "broadcast", description = "Announcements to every connected session (at most once, not stored)")
public class BroadcastController {

    /** Who a broadcast is from when the request does not say. */
    public static final String DEFAULT_FROM = "system";

    private static final Logger log = LoggerFactory.getLogger(BroadcastController.class);

    private final KafkaSender<String, byte[]> sender;
    private final ApiProperties properties;
    private final BroadcastCodec codec = new BroadcastCodec();

    public BroadcastController(KafkaSender<String, byte[]> sender, ApiProperties properties) {
        this.sender = sender;
        this.properties = properties;
    }

    @PostMapping(path = "/api/v1/broadcast", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            summary = "Push an announcement to every connected session",
            description = "Every session open on any gateway node when the announcement reaches it gets one"
                    + " broadcast frame. At most once by design: not stored, not replayed, skipped for a session"
                    + " whose outbound queue is more than half full.",
            requestBody =
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            required = true,
                            content = @Content(schema = @Schema(implementation = BroadcastRequest.class))))
    @ApiResponse(
            responseCode = "202",
            description = "accepted (in Kafka); being pushed",
            content = @Content(schema = @Schema(implementation = Broadcasted.class)))
    @ApiResponse(
            responseCode = "400",
            description = "bad_json, bad_from, missing_body, body_too_large",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(
            responseCode = "503",
            description = "unavailable: not accepted; retry",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Mono<ResponseEntity<Broadcasted>> broadcast(@RequestBody byte[] request) {
        JsonNode root = ApiJson.object(request);
        String from = root.has("from") ? ApiJson.userId(root, "from", "bad_from") : DEFAULT_FROM;
        RawJson body = ApiJson.body(request, root, properties.maxBodyBytes());
        ServerFrame.Broadcast frame =
                new ServerFrame.Broadcast(MessageIds.next(), from, System.currentTimeMillis(), body);
        return sender.send(new ProducerRecord<>(Topics.BROADCAST, frame.id(), codec.encode(frame)))
                .map(acked -> ResponseEntity.status(HttpStatus.ACCEPTED).body(new Broadcasted(frame.id())))
                .onErrorMap(e -> {
                    log.warn("broadcast {} not accepted: {}", frame.id(), e.toString());
                    return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "not accepted; retry");
                });
    }

    @Schema(name = "BroadcastRequest")
    public record BroadcastRequest(
            @Schema(description = "any JSON value, at most 64 KiB", example = "{\"text\":\"maintenance at 22:00\"}")
            Object body,

            @Schema(description = "shown as the frame's from; default \"system\"", example = "ops")
            String from) {}

    @Schema(name = "Broadcasted")
    public record Broadcasted(
            @Schema(description = "the broadcast frame's id")
            String id) {}
}
