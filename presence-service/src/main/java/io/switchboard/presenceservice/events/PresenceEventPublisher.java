package io.switchboard.presenceservice.events;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.switchboard.kafka.KafkaSender;
import io.switchboard.presence.PresenceKeeper;
import io.switchboard.presence.PresenceKeeper.OutboxEvent;
import io.switchboard.presenceservice.PresenceMeters;
import io.switchboard.protocol.envelope.PresenceChange;
import io.switchboard.protocol.envelope.PresenceChangeCodec;
import io.switchboard.protocol.envelope.Topics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Moves presence change events from the store's outbox to {@link Topics#PRESENCE}, keyed by user,
 * in outbox order. An event is acknowledged in the outbox only after Kafka acknowledged it
 * ({@code acks=all}). A batch that fails is published again, whole, before anything newer is read, so
 * one instance never lets a later transition overtake an earlier one; a batch this instance never
 * finishes (it crashed) is claimed again after {@code abandonedAfter}, by another instance. Each
 * transition is therefore published once, and twice with the same {@code version} (which readers
 * drop) when Kafka took part of a failed batch, or when an instance crashed between Kafka's ack and
 * the outbox's.
 */
public final class PresenceEventPublisher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PresenceEventPublisher.class);
    static final int BATCH = 256;
    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration ABANDONED_AFTER = Duration.ofSeconds(5);

    private final PresenceKeeper keeper;
    private final KafkaSender<String, byte[]> sender;
    private final String consumer;
    private final MeterRegistry meters;
    private final PresenceChangeCodec codec = new PresenceChangeCodec();
    private volatile Disposable loop;
    /** A batch whose publishing failed: the next round publishes it again first. One round at a time. */
    private volatile List<OutboxEvent> unpublished;

    public PresenceEventPublisher(
            PresenceKeeper keeper, KafkaSender<String, byte[]> sender, String consumer, MeterRegistry meters) {
        this.keeper = keeper;
        this.sender = sender;
        this.consumer = consumer;
        this.meters = meters;
    }

    /** Publishes one batch; emits how many events it held. */
    Mono<Integer> publishOnce() {
        List<OutboxEvent> retry = unpublished;
        Mono<List<OutboxEvent>> batch =
                retry != null ? Mono.just(retry) : keeper.claimEvents(consumer, BATCH, ABANDONED_AFTER);
        return batch.flatMap(events -> {
            if (events.isEmpty()) {
                return Mono.just(0);
            }
            List<ProducerRecord<String, byte[]>> records = events.stream()
                    .map(e -> new ProducerRecord<>(Topics.PRESENCE, e.change().user(), codec.encode(e.change())))
                    .toList();
            return sender.sendAll(records)
                    .then(keeper.acknowledge(events))
                    // Still pending in the outbox, but reading newer events now would publish a
                    // user's later transition before this earlier one.
                    .doOnError(e -> unpublished = events)
                    .then(Mono.fromRunnable(() -> {
                        unpublished = null;
                        count(events);
                    }))
                    .thenReturn(events.size());
        });
    }

    private void count(List<OutboxEvent> events) {
        for (OutboxEvent e : events) {
            PresenceChange c = e.change();
            meters.counter(PresenceMeters.EVENTS_PUBLISHED.meterName(), "status", c.online() ? "online" : "offline")
                    .increment();
            if (!c.online()) {
                meters.counter(PresenceMeters.DETECTIONS.meterName(), "cause", c.cause())
                        .increment();
                Timer.builder(PresenceMeters.DETECTION_DELAY.meterName())
                        .tag("cause", c.cause())
                        .publishPercentileHistogram()
                        .register(meters)
                        .record(Math.max(0, c.at() - c.lastSeen()), TimeUnit.MILLISECONDS);
            }
        }
    }

    @Override
    public void start() {
        loop = Flux.interval(POLL)
                .onBackpressureDrop()
                .concatMap(
                        tick -> publishOnce()
                                .expand(n -> n == BATCH ? publishOnce() : Mono.empty())
                                .then()
                                .onErrorResume(e -> {
                                    log.warn("publishing presence events failed (retried): {}", e.toString());
                                    return Mono.empty();
                                }),
                        1)
                .subscribe();
    }

    @Override
    public void stop() {
        Disposable d = loop;
        if (d != null) {
            d.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        Disposable d = loop;
        return d != null && !d.isDisposed();
    }
}
