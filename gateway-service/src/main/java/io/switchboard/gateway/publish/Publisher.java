package io.switchboard.gateway.publish;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.gateway.api.ApiException;
import io.switchboard.gateway.delivery.GatewayMeters;
import io.switchboard.gateway.inbound.FanOut;
import io.switchboard.inbox.SendLedger;
import io.switchboard.protocol.RawJson;
import io.switchboard.protocol.envelope.InboundMessage;
import io.switchboard.protocol.id.MessageIds;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Publishes one message from a backend to many users: each recipient gets it like a direct message
 * (stored under their own seq, replayed when offline, the same {@code msg} frame).
 *
 * <p>Idempotent by ({@code from}, {@code cid}) through the same {@link SendLedger} as WebSocket
 * sends: a repeated call gets the message id of the first and writes every copy again under it, and
 * each inbox stores a message id once, so a retry after a partial failure (or a lost answer)
 * completes the rest and delivers nothing twice. The ledger records a fingerprint of the recipients
 * and the body with the cid, so reusing a cid for another message is refused ({@code cid_conflict})
 * instead of silently sending the old one.
 */
public final class Publisher {

    private static final Logger log = LoggerFactory.getLogger(Publisher.class);

    private final SendLedger ledger;
    private final FanOut fanOut;
    private final MeterRegistry meters;

    public Publisher(SendLedger ledger, FanOut fanOut, MeterRegistry meters) {
        this.ledger = ledger;
        this.fanOut = fanOut;
        this.meters = meters;
        MessageIds.init();
    }

    /** A validated request: recipients are distinct user ids. */
    public record Request(String from, List<String> to, RawJson body, String cid) {}

    /**
     * @param id the message id every recipient's copy carries
     * @param deduplicated true when this cid was used before (a retry)
     */
    public record Outcome(String id, boolean deduplicated, FanOut.Result result) {}

    /**
     * Claims the cid and writes every copy; completes when Kafka acknowledged or refused each one.
     * Fails with an {@link ApiException} when nothing could be written (ledger unavailable, node
     * overloaded) or the cid belongs to another message.
     */
    public Mono<Outcome> publish(Request request) {
        String fingerprint = fingerprint(request);
        long ts = System.currentTimeMillis();
        return ledger.claim(request.from(), request.cid(), MessageIds.next(), fingerprint)
                .onErrorMap(e -> !(e instanceof ApiException), e -> {
                    log.warn("publish refused: the send ledger is unavailable: {}", e.toString());
                    return new ApiException(
                            HttpStatus.SERVICE_UNAVAILABLE,
                            "unavailable",
                            "nothing was accepted; retry with the same cid");
                })
                .flatMap(claim -> {
                    if (!claim.to().equals(fingerprint)) {
                        return Mono.error(new ApiException(
                                HttpStatus.CONFLICT,
                                "cid_conflict",
                                "this cid was already used by this sender for another message"));
                    }
                    InboundMessage message = new InboundMessage(
                            claim.messageId(), request.cid(), request.from(), request.from(), ts, request.body());
                    // Encoding thousands of copies is CPU work: keep it off the event loop.
                    return fanOut.send(message, request.to(), false)
                            .subscribeOn(Schedulers.parallel())
                            .flatMap(result -> {
                                if (result.overloaded()) {
                                    return Mono.error(new ApiException(
                                            HttpStatus.SERVICE_UNAVAILABLE,
                                            "overloaded",
                                            "this node has too many messages in flight; retry with the same cid"));
                                }
                                count(request, claim.first(), result);
                                return Mono.just(new Outcome(claim.messageId(), !claim.first(), result));
                            });
                });
    }

    private void count(Request request, boolean first, FanOut.Result result) {
        meters.counter(GatewayMeters.PUBLISHED_COPIES.meterName(), "outcome", "accepted")
                .increment(result.accepted().size());
        meters.counter(GatewayMeters.PUBLISHED_COPIES.meterName(), "outcome", "failed")
                .increment(result.failed().size());
        if (!first) {
            meters.counter(GatewayMeters.SENDS_DEDUPLICATED.meterName()).increment();
        }
    }

    /**
     * Identifies the message a cid was used for: the recipients (in any order) and the body. Kept in
     * the ledger's recipient field, which for a WebSocket send holds the user id, so a cid reused
     * across both is a conflict too.
     */
    static String fingerprint(Request request) {
        List<String> recipients = new ArrayList<>(request.to());
        recipients.sort(null);
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (String r : recipients) {
            sha.update(r.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '\n');
        }
        sha.update((byte) 0);
        sha.update(request.body().json().getBytes(StandardCharsets.UTF_8));
        return "publish:" + Base64.getUrlEncoder().withoutPadding().encodeToString(sha.digest());
    }
}
