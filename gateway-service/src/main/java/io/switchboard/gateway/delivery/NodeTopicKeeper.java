package io.switchboard.gateway.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.kafka.KafkaSettings;
import io.switchboard.kafka.KafkaTopics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Keeps this node's topic ({@code switchboard.node.<id>}) in existence while the node runs: looks
 * every {@code interval} and creates it again if it is gone.
 *
 * <p>Why it can go: presence-service deletes the topic of a node that has held no presence lease for
 * {@code switchboard.node-topics.retention} (1 h). A node cut off from Redis, but not from Kafka, that
 * long holds no lease and yet runs. Without its topic it would get no live delivery once Redis is back
 * (routing finds no topic to forward to), and its node reader would log a warning for every fetch. The
 * node reader is assigned the topic's partitions, so it reads the topic created again from its end
 * (nothing was forwarded to it meanwhile: routing forwards only to a node with a live lease), and what
 * was stored while the lease had lapsed reaches the sessions through the catch-up that follows the
 * lease's renewal ({@code HeartbeatMonitor}). So nothing is lost either way; this brings live delivery
 * back without a restart.
 */
public final class NodeTopicKeeper implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(NodeTopicKeeper.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaSettings settings;
    private final String topic;
    private final Duration interval;
    private final Counter recreated;
    private volatile Admin admin;
    private volatile Disposable running;

    public NodeTopicKeeper(KafkaSettings settings, String topic, Duration interval, MeterRegistry meters) {
        this.settings = settings;
        this.topic = topic;
        this.interval = interval;
        this.recreated = Counter.builder(GatewayMeters.NODE_TOPIC_RECREATED.meterName())
                .description("times this node found its own topic deleted and created it again")
                .register(meters);
    }

    /** One look (blocking; never on an event loop): true if the topic was missing and is now created. */
    public boolean check() throws InterruptedException {
        try {
            admin.describeTopics(List.of(topic)).allTopicNames().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return false;
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                log.warn(
                        "could not look up this node's topic {}: {}",
                        topic,
                        e.getCause().toString());
                return false;
            }
        } catch (java.util.concurrent.TimeoutException e) {
            log.warn("could not look up this node's topic {} within {}", topic, ADMIN_TIMEOUT);
            return false;
        }
        log.warn(
                "this node's topic {} was deleted (presence-service deletes the topics of nodes without a"
                        + " presence lease for switchboard.node-topics.retention: was this node cut off from Redis?);"
                        + " creating it again",
                topic);
        KafkaTopics.ensure(admin, settings, List.of(topic), ADMIN_TIMEOUT);
        recreated.increment();
        return true;
    }

    @Override
    public void start() {
        admin = Admin.create(settings.clientConfig());
        running = Flux.interval(interval, interval, Schedulers.boundedElastic())
                .onBackpressureDrop()
                .concatMap(
                        tick -> Mono.fromCallable(this::check).onErrorResume(e -> {
                            log.warn("node topic check failed (next in {}): {}", interval, e.toString());
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
        Admin a = admin;
        if (a != null) {
            a.close(Duration.ofSeconds(5));
        }
    }

    @Override
    public boolean isRunning() {
        Disposable d = running;
        return d != null && !d.isDisposed();
    }
}
