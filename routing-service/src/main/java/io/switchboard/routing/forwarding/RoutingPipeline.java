package io.switchboard.routing.forwarding;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.kafka.KafkaSender;
import io.switchboard.presence.PresenceSession;
import io.switchboard.presence.PresenceStore;
import io.switchboard.protocol.envelope.Topics;
import java.util.List;
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
 * <p>Order per recipient is kept: lookups are issued in offset order and the forwards are sent in
 * offset order through one producer.
 */
public final class RoutingPipeline {

    private final PresenceStore presence;
    private final NodeTopicDirectory nodeTopics;
    private final KafkaSender<String, byte[]> sender;
    private final Counter routed;
    private final Counter notConnected;
    private final Counter unknownNode;

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
    }

    /** Handles one batch; the receiver commits it when the returned Mono completes. */
    public Mono<Void> handle(List<ConsumerRecord<String, byte[]>> batch) {
        return Flux.fromIterable(batch)
                .flatMapSequential(this::forwards, 256)
                .collectList()
                .flatMap(perRecord -> {
                    List<ProducerRecord<String, byte[]>> all =
                            perRecord.stream().flatMap(List::stream).toList();
                    return all.isEmpty()
                            ? Mono.empty()
                            : sender.sendAll(all).doOnSuccess(ok -> routed.increment(all.size()));
                })
                .then();
    }

    private Mono<List<ProducerRecord<String, byte[]>>> forwards(ConsumerRecord<String, byte[]> record) {
        String recipient = record.key();
        if (recipient == null) {
            return Mono.just(List.of());
        }
        return presence.sessionsOf(recipient).flatMap(sessions -> {
            if (sessions.isEmpty()) {
                notConnected.increment();
                return Mono.just(List.<ProducerRecord<String, byte[]>>of());
            }
            return Flux.fromIterable(sessions)
                    .map(PresenceSession::nodeId)
                    .distinct()
                    .filter(Topics::isValidNodeId)
                    .map(Topics::node)
                    .concatMap(topic -> nodeTopics.exists(topic).flatMap(exists -> {
                        if (!exists) {
                            unknownNode.increment();
                            return Mono.empty();
                        }
                        return Mono.just(new ProducerRecord<>(topic, recipient, record.value()));
                    }))
                    .collectList();
        });
    }
}
