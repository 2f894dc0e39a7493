package io.switchboard.gateway.publish;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.switchboard.gateway.api.ApiError;
import io.switchboard.gateway.api.ApiJson;
import io.switchboard.gateway.api.ApiProperties;
import io.switchboard.gateway.inbound.FanOut;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;

/** {@code POST /api/v1/messages}: a backend sends one message to up to 10,000 users. */
@RestController
@Tag(name = "messages", description = "Messages from backends to users, stored and delivered like direct messages")
public class PublishController {

    private final Publisher publisher;
    private final ApiProperties properties;

    public PublishController(Publisher publisher, ApiProperties properties) {
        this.publisher = publisher;
        this.properties = properties;
    }

    @PostMapping(path = "/api/v1/messages", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            summary = "Send one message to many users",
            description =
                    "Each recipient gets it like a direct message: stored under their own seq, replayed when"
                            + " offline, as an ordinary msg frame. Answered once every copy is durably accepted (Kafka, acks=all)."
                            + " Idempotent by (from, cid): a repeated call completes what is missing and delivers nothing twice.",
            requestBody =
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            required = true,
                            content = @Content(schema = @Schema(implementation = PublishRequest.class))))
    @ApiResponse(
            responseCode = "200",
            description = "every recipient's copy is accepted",
            content = @Content(schema = @Schema(implementation = Published.class)))
    @ApiResponse(
            responseCode = "400",
            description = "bad_json, bad_from, empty_recipients, too_many_recipients, bad_recipient, missing_body,"
                    + " body_too_large, bad_cid; nothing was accepted",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(
            responseCode = "401",
            description = "unauthorized: no or an invalid credential",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(
            responseCode = "403",
            description = "service_credential_required: a user token",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(
            responseCode = "409",
            description = "cid_conflict: this cid was used by this sender for another message",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(
            responseCode = "413",
            description = "request_too_large",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(
            responseCode = "503",
            description = "not_all_accepted (which recipients are and are not accepted), overloaded or"
                    + " unavailable (nothing accepted); retry with the same cid",
            content = @Content(schema = @Schema(implementation = NotAllAccepted.class)))
    public Mono<ResponseEntity<Object>> publish(@RequestBody byte[] request) {
        return Mono.fromCallable(() -> parse(request))
                // Parsing up to 10,000 recipients is CPU work: keep it off the event loop.
                .subscribeOn(Schedulers.parallel())
                .flatMap(publisher::publish)
                .map(outcome -> {
                    FanOut.Result result = outcome.result();
                    if (result.complete()) {
                        return ResponseEntity.ok(
                                new Published(outcome.id(), result.accepted().size(), outcome.deduplicated()));
                    }
                    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                            .header("Retry-After", "1")
                            .body(new NotAllAccepted(
                                    "not_all_accepted",
                                    "some copies were not accepted; retry with the same cid to complete them",
                                    outcome.id(),
                                    result.accepted(),
                                    result.failed()));
                });
    }

    private Publisher.Request parse(byte[] request) {
        JsonNode root = ApiJson.object(request);
        String from = ApiJson.userId(root, "from", "bad_from");
        List<String> to = ApiJson.userIds(
                root,
                "to",
                properties.maxRecipients(),
                false,
                "empty_recipients",
                "too_many_recipients",
                "bad_recipient");
        return new Publisher.Request(
                from, to, ApiJson.body(request, root, properties.maxBodyBytes()), ApiJson.cid(root));
    }

    /** The request, for the API contract (the body is read with the protocol's own JSON rules). */
    @Schema(name = "PublishRequest")
    public record PublishRequest(
            @Schema(description = "the sender as recipients see it: a user id or a system name", example = "billing")
            String from,

            @ArraySchema(
                    schema = @Schema(example = "u1"),
                    minItems = 1,
                    maxItems = 10_000,
                    arraySchema = @Schema(description = "recipient user ids; duplicates count once"))
            List<String> to,

            @Schema(
                    description = "any JSON value, at most 64 KiB, delivered unchanged",
                    example = "{\"text\":\"your file is ready\"}")
            Object body,

            @Schema(
                    description = "idempotency key, 1-64 printable ASCII, per sender, remembered 2 days",
                    example = "evt-4711")
            String cid) {}

    /**
     * @param id the message id every copy carries
     * @param recipients distinct recipients, all accepted
     * @param deduplicated true when this cid was seen before (a retry)
     */
    @Schema(name = "Published")
    public record Published(String id, int recipients, boolean deduplicated) {}

    /** Some copies were not accepted: who has it and who may not. */
    @Schema(name = "NotAllAccepted")
    public record NotAllAccepted(
            String code,
            String message,

            @Schema(description = "the message id; a retry with the same cid keeps it")
            String id,

            @Schema(description = "recipients whose copy is durably accepted")
            List<String> accepted,

            @Schema(description = "recipients whose copy is not confirmed; a retry with the same cid completes them")
            List<String> failed) {}
}
