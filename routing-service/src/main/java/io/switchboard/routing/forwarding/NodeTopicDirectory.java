package io.switchboard.routing.forwarding;

import io.switchboard.kafka.KafkaTopics;
import java.time.Duration;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Which gateway node topics exist. Producing to a missing topic would block the producer for
 * {@code max.block.ms} and then fail the whole batch, over and over; so routing asks here first. A
 * miss triggers at most one topic listing per {@code refreshInterval}, which covers a node that was
 * created a moment ago (gateways create their topic before they accept a session).
 */
public final class NodeTopicDirectory {

    /** The names of the topics that exist, from Kafka; may block. */
    @FunctionalInterface
    interface TopicListing {
        Set<String> names();
    }

    private final Runnable close;
    private final Duration refreshInterval;
    private volatile Set<String> known = Set.of();
    private volatile long refreshedAtNanos;
    private final Mono<Set<String>> refresh;

    public NodeTopicDirectory(Admin admin, Duration refreshInterval) {
        this(
                () -> KafkaTopics.list(admin, Duration.ofSeconds(10)),
                () -> admin.close(Duration.ofSeconds(5)),
                refreshInterval);
    }

    NodeTopicDirectory(TopicListing listing, Runnable close, Duration refreshInterval) {
        this.close = close;
        this.refreshInterval = refreshInterval;
        this.refresh = Mono.fromCallable(listing::names)
                .subscribeOn(Schedulers.boundedElastic())
                .doOnNext(topics -> {
                    known = Set.copyOf(topics);
                    refreshedAtNanos = System.nanoTime();
                })
                .cacheInvalidateIf(topics -> isStale());
    }

    /** Whether {@code topic} exists, refreshing the listing if it is unknown and the listing is stale. */
    public Mono<Boolean> exists(String topic) {
        if (known.contains(topic)) {
            return Mono.just(true);
        }
        return refresh.map(topics -> topics.contains(topic));
    }

    private boolean isStale() {
        return System.nanoTime() - refreshedAtNanos > refreshInterval.toNanos();
    }

    public void close() {
        close.run();
    }
}
