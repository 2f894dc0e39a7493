package io.switchboard.gateway.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.switchboard.gateway.session.ClientSession;
import io.switchboard.gateway.session.LogKeys;
import io.switchboard.gateway.session.SessionFeed;
import io.switchboard.gateway.session.SessionRegistry;
import io.switchboard.protocol.envelope.EnvelopeCodec;
import io.switchboard.protocol.envelope.MalformedEnvelopeException;
import io.switchboard.protocol.envelope.SequencedMessage;
import io.switchboard.protocol.frame.ServerFrame;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Pushes the messages routed to this node (its own topic) to every session of the recipient held
 * here, through each session's {@link SessionFeed} (which keeps seq order and drops duplicates).
 * Queuing to a session never blocks: a session whose queue is full is closed as a slow consumer,
 * and a recipient who is no longer here loses nothing, because every message was stored before it
 * was routed.
 */
public final class NodeDelivery {

    private static final Logger log = LoggerFactory.getLogger(NodeDelivery.class);

    private final SessionRegistry registry;
    private final EnvelopeCodec codec = new EnvelopeCodec();
    private final Counter delivered;
    private final Counter duplicates;
    private final Timer latency;

    public NodeDelivery(SessionRegistry registry, MeterRegistry meters) {
        this.registry = registry;
        this.delivered = meters.counter(GatewayMeters.MESSAGES_DELIVERED.meterName());
        this.duplicates = meters.counter(GatewayMeters.DUPLICATES_DROPPED.meterName());
        this.latency = Timer.builder(GatewayMeters.DELIVERY_LATENCY.meterName())
                .description("accepted at a gateway to queued for the recipient's session")
                .publishPercentileHistogram()
                .register(meters);
    }

    /** Handles one batch of the node topic; the receiver commits it when the Mono completes. */
    public Mono<Void> handle(List<ConsumerRecord<String, byte[]>> batch) {
        for (ConsumerRecord<String, byte[]> record : batch) {
            SequencedMessage m;
            try {
                m = codec.decodeSequenced(record.value());
            } catch (MalformedEnvelopeException | NullPointerException e) {
                log.error("skipping malformed delivery at offset {}: {}", record.offset(), e.getMessage());
                continue;
            }
            List<ClientSession> sessions = registry.sessionsOf(m.to());
            if (sessions.isEmpty()) {
                continue;
            }
            ServerFrame.Msg frame = ServerFrame.Msg.of(m);
            for (ClientSession session : sessions) {
                SessionFeed.Outcome outcome = session.feed().onLive(frame);
                if (outcome == SessionFeed.Outcome.QUEUED) {
                    delivered.increment();
                    latency.record(Math.max(0, System.currentTimeMillis() - m.ts()), TimeUnit.MILLISECONDS);
                    if (log.isDebugEnabled()) {
                        log.atDebug()
                                .addKeyValue(LogKeys.MESSAGE_ID, m.id())
                                .addKeyValue(LogKeys.SESSION_ID, session.sessionId())
                                .log("message {} (seq {}) queued for session {}", m.id(), m.seq(), session.sessionId());
                    }
                } else if (outcome == SessionFeed.Outcome.DUPLICATE) {
                    duplicates.increment();
                }
            }
        }
        return Mono.empty();
    }
}
