package io.switchboard.presenceservice.nodes;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.kafka.KafkaTopics;
import io.switchboard.presence.PresenceKeeper;
import io.switchboard.presenceservice.PresenceMeters;
import io.switchboard.protocol.envelope.ConsumerGroups;
import io.switchboard.protocol.envelope.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Removes what a gateway node leaves in Kafka once it is gone for good: its topic
 * ({@code switchboard.node.<id>}) and its consumer groups ({@link ConsumerGroups#ofGatewayNode}:
 * {@code gateway-<id>}, {@code gateway-presence-<id>}, {@code gateway-broadcast-<id>}, {@code gateway-alive-<id>}). Containers
 * get a new node id when they are recreated, so without this every deploy would leave a topic behind.
 *
 * <p>A node counts as gone when, for {@code retention} without interruption, it holds no lease entry in
 * presence (live, or lapsed and not yet swept: {@link PresenceKeeper#stats}) and it has not shown it
 * is alive through Kafka: every gateway writes a new value into the offset metadata of its group
 * {@link ConsumerGroups#gatewayAlive} every minute. A node cut off from Redis, but not from Kafka,
 * holds no lease and still runs; deleting its topic would cut its live deliveries and flood its log.
 * A node that comes back (renews its lease) in between, or whose alive value changed since the
 * reaper last read it, starts the clock again. The value is only compared with the one read before,
 * never with this instance's clock, so clock skew between hosts does not matter; the price is that a
 * node that stops showing it is alive loses its topic one retention after it was last seen alive.
 * Routing never forwards to a node without a
 * live lease, so deleting its topic loses nothing: every message is in its recipient's inbox.
 *
 * <p>The clock is this instance's: a restart starts every node's clock again (deletion waits
 * longer, never less). Several instances may run; deleting what another already deleted is fine.
 */
public final class NodeTopicReaper implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(NodeTopicReaper.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private final PresenceKeeper keeper;
    private final Admin admin;
    private final long retentionNanos;
    private final Duration interval;
    private final LongSupplier nanoClock;
    private final Counter deleted;
    /** Node id → when this instance first saw its topic without a lease (nanoClock). */
    private final Map<String, Long> unleasedSince = new HashMap<>();
    /** Node id → the alive value read when its clock was last started again for it (see the class). */
    private final Map<String, String> aliveSeen = new HashMap<>();

    private volatile Disposable running;

    /**
     * @param retention how long a node must hold no lease before its topic and groups are deleted
     * @param interval how often to look
     * @param nanoClock monotonic time in nanoseconds ({@link System#nanoTime} outside tests)
     */
    public NodeTopicReaper(
            PresenceKeeper keeper,
            Admin admin,
            Duration retention,
            Duration interval,
            LongSupplier nanoClock,
            MeterRegistry meters) {
        this.keeper = keeper;
        this.admin = admin;
        this.retentionNanos = retention.toNanos();
        this.interval = interval;
        this.nanoClock = nanoClock;
        this.deleted = Counter.builder(PresenceMeters.NODE_TOPICS_DELETED.meterName())
                .description("topics of gateway nodes gone longer than the retention, deleted")
                .register(meters);
    }

    /** One look: emits the ids of the nodes whose topics were deleted. */
    public Mono<List<String>> sweep() {
        return keeper.stats()
                .map(stats -> Set.copyOf(stats.sessionsByNode().keySet()))
                .flatMap(leased -> Mono.fromCallable(() -> reap(leased)).subscribeOn(Schedulers.boundedElastic()));
    }

    private synchronized List<String> reap(Set<String> leased) throws Exception {
        long now = nanoClock.getAsLong();
        Set<String> withTopic = new HashSet<>();
        List<String> due = new ArrayList<>();
        for (String topic : KafkaTopics.list(admin, ADMIN_TIMEOUT)) {
            String node = Topics.nodeIdOf(topic);
            if (node == null) {
                continue;
            }
            withTopic.add(node);
            if (leased.contains(node)) {
                unleasedSince.remove(node);
                aliveSeen.remove(node);
            } else if (now - unleasedSince.computeIfAbsent(node, n -> now) >= retentionNanos) {
                due.add(node);
            }
        }
        unleasedSince.keySet().retainAll(withTopic);
        aliveSeen.keySet().retainAll(withTopic);
        for (var nodes = due.iterator(); nodes.hasNext(); ) {
            if (shownAlive(nodes.next(), now)) {
                nodes.remove();
            }
        }
        if (due.isEmpty()) {
            return due;
        }
        Map<String, KafkaFuture<Void>> topics =
                admin.deleteTopics(due.stream().map(Topics::node).toList()).topicNameValues();
        List<String> groups = new ArrayList<>();
        for (String node : due) {
            groups.addAll(ConsumerGroups.ofGatewayNode(node));
        }
        Map<String, KafkaFuture<Void>> groupResults =
                admin.deleteConsumerGroups(groups).deletedGroups();
        List<String> done = new ArrayList<>();
        for (String node : due) {
            if (await(topics.get(Topics.node(node)), "topic " + Topics.node(node))) {
                done.add(node);
                unleasedSince.remove(node);
                aliveSeen.remove(node);
                log.info(
                        "deleted the Kafka topic of gateway node {}: no presence lease for {} s",
                        node,
                        retentionNanos / 1_000_000_000L);
            }
        }
        for (Map.Entry<String, KafkaFuture<Void>> group : groupResults.entrySet()) {
            await(group.getValue(), "consumer group " + group.getKey());
        }
        deleted.increment(done.size());
        return done;
    }

    /**
     * Whether the node's alive value changed since it was last read (the first read counts as a
     * change, unless there is none); if so, its clock starts again. If the value cannot be read, the
     * node is kept as well: deletion waits longer, never less.
     */
    private boolean shownAlive(String node, long now) throws InterruptedException {
        String group = ConsumerGroups.gatewayAlive(node);
        String alive;
        try {
            alive = admin
                    .listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata(group)
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .values()
                    .stream()
                    .filter(offset -> offset != null && !offset.metadata().isEmpty())
                    .map(OffsetAndMetadata::metadata)
                    .findFirst()
                    .orElse(null);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                alive = null; // a node that never showed it is alive
            } else {
                log.warn(
                        "could not read {}; the topic of node {} is kept: {}",
                        group,
                        node,
                        e.getCause().toString());
                return true;
            }
        } catch (TimeoutException e) {
            log.warn("could not read {} within {}; the topic of node {} is kept", group, ADMIN_TIMEOUT, node);
            return true;
        }
        if (alive == null || alive.equals(aliveSeen.get(node))) {
            return false;
        }
        aliveSeen.put(node, alive);
        unleasedSince.put(node, now);
        log.warn(
                "gateway node {} has held no presence lease for {} s but shows it is alive through Kafka; its topic"
                        + " is kept (is the node cut off from Redis?)",
                node,
                retentionNanos / 1_000_000_000L);
        return true;
    }

    /** Whether the deletion is done (or there was nothing to delete). */
    private static boolean await(KafkaFuture<Void> result, String what) throws InterruptedException, TimeoutException {
        try {
            result.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException
                    || e.getCause() instanceof GroupIdNotFoundException) {
                return true; // another instance was first, or the node never committed
            }
            log.warn("could not delete {}: {}", what, e.getCause().toString());
            return false;
        }
    }

    /** Looks every {@code interval}; a zero retention turns the clean-up off. */
    @Override
    public void start() {
        if (retentionNanos == 0) {
            log.info("gateway node topics are never deleted (switchboard.node-topics.retention is 0)");
            return;
        }
        running = Flux.interval(interval, interval)
                .onBackpressureDrop()
                .concatMap(
                        tick -> sweep().onErrorResume(e -> {
                            log.warn("node topic sweep failed (next in {}): {}", interval, e.toString());
                            return Mono.empty();
                        }),
                        1)
                .subscribe();
    }

    @Override
    public void stop() {
        Disposable d = running;
        if (d != null) {
            d.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        Disposable d = running;
        return d != null && !d.isDisposed();
    }
}
