package io.switchboard.gateway.broadcast;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.gateway.delivery.GatewayMeters;
import io.switchboard.gateway.session.ClientSession;
import io.switchboard.gateway.session.SessionRegistry;
import io.switchboard.protocol.envelope.BroadcastCodec;
import io.switchboard.protocol.envelope.MalformedEnvelopeException;
import io.switchboard.protocol.frame.ServerFrame;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Pushes every announcement of the broadcast topic to every session open on this node at that
 * moment. At most once by design: nothing is stored, a session that connects later never sees it,
 * and a session whose outbound queue is more than half full skips it (an announcement is never a
 * reason to close a slow client; its messages need that room).
 */
public final class BroadcastDelivery {

    private static final Logger log = LoggerFactory.getLogger(BroadcastDelivery.class);

    private final SessionRegistry registry;
    private final BroadcastCodec codec = new BroadcastCodec();
    private final Counter delivered;
    private final Counter skipped;

    public BroadcastDelivery(SessionRegistry registry, MeterRegistry meters) {
        this.registry = registry;
        this.delivered = meters.counter(GatewayMeters.BROADCASTS_DELIVERED.meterName());
        this.skipped = meters.counter(GatewayMeters.BROADCASTS_SKIPPED.meterName());
    }

    /** Handles one batch of the broadcast topic. */
    public Mono<Void> handle(List<ConsumerRecord<String, byte[]>> batch) {
        for (ConsumerRecord<String, byte[]> record : batch) {
            ServerFrame.Broadcast frame;
            try {
                frame = codec.decode(record.value());
            } catch (MalformedEnvelopeException | NullPointerException e) {
                log.error("skipping malformed broadcast at offset {}: {}", record.offset(), e.getMessage());
                continue;
            }
            Collection<ClientSession> sessions = registry.all();
            for (ClientSession session : sessions) {
                if (session.queued() * 2 < session.queueCapacity() && session.send(frame)) {
                    delivered.increment();
                } else {
                    skipped.increment();
                }
            }
        }
        return Mono.empty();
    }
}
