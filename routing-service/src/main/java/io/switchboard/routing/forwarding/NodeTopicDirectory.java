package io.switchboard.routing.forwarding;

import io.switchboard.kafka.KafkaTopics;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Which gateway node topics exist. Producing to a missing topic would block the producer for
 * {@code max.block.ms} and then fail the whole batch, over and over; so routing asks here first.
 *
 * <p>Guarantees: a topic once seen is answered at once, without asking Kafka. "Missing" is answered
 * only from a topic listing that started after the question was asked, so a node topic created
 * before the question (gateways create theirs before they accept a session, and presence names a
 * node only after that) is always found. Listings start at most once per {@code minInterval}, and
 * one at a time (a slow Kafka gets one metadata request, not one per interval piling up): questions
 * asked meanwhile wait for the next one and share it, so a flood of messages for a node that really
 * has no topic costs one listing per interval however many there are, and each such question waits
 * at most {@code minInterval} plus two listings.
 */
public final class NodeTopicDirectory {

    /** The names of the topics that exist, from Kafka; may block. */
    @FunctionalInterface
    interface TopicListing {
        Set<String> names();
    }

    /** A listing (due to start, running or done) and when it starts at the earliest. */
    private record Listing(long startsAtNanos, CompletableFuture<Set<String>> names) {}

    private final TopicListing listing;
    private final Runnable close;
    private final long minIntervalNanos;
    /** From the latest listing: listings run one after the other, so the last to finish is the newest. */
    private volatile Set<String> known = Set.of();

    /** The latest listing; guarded by this. */
    private Listing latest;

    /**
     * {@code minInterval} bounds both the load on Kafka (one listing, a metadata request, per interval)
     * and how long a question about a missing topic waits beyond one listing.
     */
    public NodeTopicDirectory(Admin admin, Duration minInterval) {
        this(
                () -> KafkaTopics.list(admin, Duration.ofSeconds(10)),
                () -> admin.close(Duration.ofSeconds(5)),
                minInterval);
    }

    NodeTopicDirectory(TopicListing listing, Runnable close, Duration minInterval) {
        this.listing = listing;
        this.close = close;
        this.minIntervalNanos = minInterval.toNanos();
    }

    /** Whether {@code topic} exists; asked when subscribed. */
    public Mono<Boolean> exists(String topic) {
        return Mono.defer(() -> {
            if (known.contains(topic)) {
                return Mono.just(true);
            }
            return listingStartedAfter(System.nanoTime()).map(names -> names.contains(topic));
        });
    }

    /**
     * The first listing that starts at or after {@code askedAtNanos}: the one planned already, or a
     * new one. Every question that joins it gets its answer or its error; it runs even if they all
     * cancel (a batch given up on), so a later question never waits for one that will not come.
     */
    private synchronized Mono<Set<String>> listingStartedAfter(long askedAtNanos) {
        if (latest == null || latest.startsAtNanos() - askedAtNanos < 0) {
            long now = System.nanoTime();
            long startsAt = latest == null ? now : Math.max(now, latest.startsAtNanos() + minIntervalNanos);
            CompletableFuture<Set<String>> names = new CompletableFuture<>();
            CompletableFuture<?> previous = latest == null ? CompletableFuture.completedFuture(null) : latest.names();
            // After the previous listing ended, however it ended: at most one runs at a time.
            previous.whenComplete((ignored, error) -> schedule(startsAt, names));
            latest = new Listing(startsAt, names);
        }
        return Mono.fromFuture(latest.names(), true);
    }

    private void schedule(long startsAtNanos, CompletableFuture<Set<String>> names) {
        try {
            Schedulers.boundedElastic()
                    .schedule(() -> list(names), Math.max(0, startsAtNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            names.completeExceptionally(e);
        }
    }

    private void list(CompletableFuture<Set<String>> names) {
        try {
            Set<String> found = Set.copyOf(listing.names());
            known = found;
            names.complete(found);
        } catch (Throwable e) { // handed to the questions waiting for it, which fail their batch
            names.completeExceptionally(e);
        }
    }

    public void close() {
        close.run();
    }
}
