package io.switchboard.gateway.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.kafka.KafkaSettings;
import io.switchboard.kafka.KafkaTopics;
import io.switchboard.protocol.envelope.ConsumerGroups;
import io.switchboard.protocol.envelope.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Keeps this node's topic ({@code switchboard.node.<id>}) while the node runs, in two ways, every
 * {@code interval}:
 *
 * <ul>
 *   <li>It shows presence-service's reaper that the node is alive: it writes a new value into the
 *       offset metadata of the group {@link ConsumerGroups#gatewayAlive}, which nothing reads as a
 *       consumer. The reaper deletes the topic of a node that has held no presence lease for {@code
 *       switchboard.node-topics.retention} (1 h); a node cut off from Redis, but not from Kafka, that
 *       long holds no lease and yet runs, and the changing value keeps its topic.
 *   <li>It creates the topic again if it is gone anyway (deleted by hand, or by a reaper that did not
 *       see the value). Without its topic the node gets no live delivery (routing finds no topic to
 *       forward to), and its node reader, assigned the topic's partitions, logs a warning for every
 *       fetch: tens of thousands a second against a local broker. The reader picks up the new topic
 *       from its end: routing forwards nothing to a node without a live lease, and what was stored
 *       meanwhile reaches the sessions through the catch-up that follows the lease's renewal
 *       ({@code HeartbeatMonitor}).
 * </ul>
 */
public final class NodeTopicKeeper implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(NodeTopicKeeper.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaSettings settings;
    private final String topic;
    private final String aliveGroup;
    private final Duration interval;
    private final Counter recreated;
    private volatile Admin admin;
    private volatile Disposable running;

    public NodeTopicKeeper(KafkaSettings settings, String nodeId, Duration interval, MeterRegistry meters) {
        this.settings = settings;
        this.topic = Topics.node(nodeId);
        this.aliveGroup = ConsumerGroups.gatewayAlive(nodeId);
        this.interval = interval;
        this.recreated = Counter.builder(GatewayMeters.NODE_TOPIC_RECREATED.meterName())
                .description("times this node found its own topic deleted and created it again")
                .register(meters);
    }

    /** One round (blocking; never on an event loop): the topic first, since the alive value is an offset of it. */
    private void round() throws Exception {
        Admin a = admin;
        if (a == null) {
            return; // stopped
        }
        recreateIfGone(a);
        showAlive(a);
    }

    private void recreateIfGone(Admin a) throws InterruptedException {
        try {
            a.describeTopics(List.of(topic)).allTopicNames().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return;
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                log.warn(
                        "could not look up this node's topic {}: {}",
                        topic,
                        e.getCause().toString());
                return;
            }
        } catch (TimeoutException e) {
            log.warn("could not look up this node's topic {} within {}", topic, ADMIN_TIMEOUT);
            return;
        }
        log.warn(
                "this node's topic {} was deleted (presence-service deletes the topics of nodes without a"
                        + " presence lease for switchboard.node-topics.retention: was this node cut off from Redis?);"
                        + " creating it again",
                topic);
        KafkaTopics.ensure(a, settings, List.of(topic), ADMIN_TIMEOUT);
        recreated.increment();
    }

    /** A new value (this node's clock; the reaper only looks for a change) in the alive group's metadata. */
    private void showAlive(Admin a) throws Exception {
        OffsetAndMetadata alive = new OffsetAndMetadata(0, Long.toString(System.currentTimeMillis()));
        a.alterConsumerGroupOffsets(aliveGroup, Map.of(new TopicPartition(topic, 0), alive))
                .all()
                .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void start() {
        admin = Admin.create(settings.clientConfig());
        running = Flux.interval(Duration.ZERO, interval, Schedulers.boundedElastic())
                .onBackpressureDrop()
                .concatMap(tick -> Mono.fromRunnable(this::roundLogged), 1)
                .subscribe();
    }

    private void roundLogged() {
        try {
            round();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("node topic check or alive signal failed (next in {}): {}", interval, e.toString());
        }
    }

    @Override
    public void stop() {
        Disposable d = running;
        if (d != null) {
            d.dispose();
        }
        Admin a = admin;
        admin = null;
        if (a != null) {
            a.close(Duration.ofSeconds(5)); // waits for a round's call in flight
        }
    }

    @Override
    public boolean isRunning() {
        Disposable d = running;
        return d != null && !d.isDisposed();
    }
}
