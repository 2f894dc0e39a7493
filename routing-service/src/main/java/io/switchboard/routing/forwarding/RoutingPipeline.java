package io.switchboard.routing.forwarding;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.switchboard.kafka.KafkaSender;
import io.switchboard.presence.PresenceSession;
import io.switchboard.presence.PresenceStore;
import io.switchboard.protocol.envelope.Topics;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reads {@link Topics#SEQUENCED} and forwards each record, unchanged, to the topic of every gateway
 * node that holds a live session of its recipient (the record key). A recipient with no session needs
 * nothing: the message is already stored. Offsets are committed only after every forward of the batch
 * is acknowledged; a crash redelivers the batch, and gateways drop copies they already pushed (by seq).
 *
 * <p>A batch costs one presence lookup for all its recipients (one Redis round trip per few hundred
 * users), read after the records were sequenced, so a session registered before its seq was assigned
 * is seen. Order per recipient is kept: the forwards are sent in offset order through one producer.
 */
public final class RoutingPipeline {

    private final PresenceStore presence;
    private final NodeTopicDirectory nodeTopics;
    private final KafkaSender<String, byte[]> sender;
    private final Counter routed;
    private final Counter notConnected;
    private final Counter unknownNode;
    private final Timer lookupDuration;
    private final Timer forwardDuration;

    public RoutingPipeline(
            PresenceStore presence,
            NodeTopicDirectory nodeTopics,
            KafkaSender<String, byte[]> sender,
            MeterRegistry meters) {
        this.presence = presence;
        this.nodeTopics = nodeTopics;
        this.sender = sender;
        this.routed = meters.counter(RoutingMeters.MESSAGES_ROUTED.meterName());
        this.notConnected = meters.counter(RoutingMeters.MESSAGES_NOT_CONNECTED.meterName());
        this.unknownNode = meters.counter(RoutingMeters.UNKNOWN_NODE.meterName());
        this.lookupDuration = Timer.builder(RoutingMeters.LOOKUP_DURATION.meterName())
                .description("time to look up the sessions of one batch's recipients")
                .register(meters);
        this.forwardDuration = Timer.builder(RoutingMeters.FORWARD_DURATION.meterName())
                .description("time to write one batch's copies to the node topics")
                .register(meters);
    }

    /** Handles one batch; the receiver commits it when the returned Mono completes. */
    public Mono<Void> handle(List<ConsumerRecord<String, byte[]>> batch) {
        Set<String> recipients = new LinkedHashSet<>();
        for (ConsumerRecord<String, byte[]> record : batch) {
            if (record.key() != null) {
                recipients.add(record.key());
            }
        }
        if (recipients.isEmpty()) {
            return Mono.empty();
        }
        return timed(presence.sessionsOf(recipients), lookupDuration)
                .flatMapMany(sessions -> Flux.fromIterable(batch).concatMap(record -> forwards(record, sessions)))
                .collectList()
                .flatMap(all -> all.isEmpty()
                        ? Mono.empty()
                        : timed(sender.sendAll(all), forwardDuration).doOnSuccess(ok -> routed.increment(all.size())))
                .then();
    }

    /** Records in {@code timer} how long {@code step} took from subscription to success. */
    private static <T> Mono<T> timed(Mono<T> step, Timer timer) {
        return Mono.defer(() -> {
            Timer.Sample sample = Timer.start();
            return step.doOnSuccess(done -> sample.stop(timer));
        });
    }

    private Flux<ProducerRecord<String, byte[]>> forwards(
            ConsumerRecord<String, byte[]> record, Map<String, List<PresenceSession>> sessionsByUser) {
        String recipient = record.key();
        List<PresenceSession> sessions = recipient == null ? List.of() : sessionsByUser.get(recipient);
        if (sessions == null || sessions.isEmpty()) {
            notConnected.increment();
            return Flux.empty();
        }
        return Flux.fromIterable(sessions)
                .map(PresenceSession::nodeId)
                .distinct()
                .filter(node -> {
                    if (Topics.isValidNodeId(node)) {
                        return true;
                    }
                    unknownNode.increment(); // gateways refuse to start with such an id; counted, not routed
                    return false;
                })
                .map(Topics::node)
                .concatMap(topic -> nodeTopics.exists(topic).flatMap(exists -> {
                    if (!exists) {
                        unknownNode.increment();
                        return Mono.empty();
                    }
                    return Mono.just(new ProducerRecord<>(topic, recipient, record.value()));
                }));
    }
}
