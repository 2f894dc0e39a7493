package io.switchboard.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.metrics.MicrometerCommandLatencyRecorder;
import io.lettuce.core.metrics.MicrometerOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;

/**
 * A service's one Redis connection. Lettuce multiplexes every command of the service over it and
 * pipelines commands issued without waiting, which is both the fastest and the order-preserving
 * choice: commands issued in order on one connection run in that order.
 */
public final class RedisConnection implements AutoCloseable {

    /**
     * Redis command latency, as Lettuce measures it per command type (tags {@code command},
     * {@code remote}, {@code local}): {@code lettuce.command.completion} and
     * {@code lettuce.command.firstresponse}, with histograms (docs/metrics.md).
     */
    private static final MicrometerOptions LATENCY_METRICS = MicrometerOptions.builder()
            .histogram(true)
            .targetPercentiles(new double[0])
            .minLatency(Duration.ofMillis(1).dividedBy(10))
            .maxLatency(Duration.ofSeconds(5))
            .build();

    /**
     * Commands one connection holds at most: sent and awaiting their answer, or buffered while it
     * reconnects. Beyond that a command fails ("Request queue size exceeded" or "Internal stack size
     * exceeded") and its caller answers as for Redis being unavailable. Lettuce's own default is
     * unbounded, so during an outage a reconnect storm would grow the buffer until the heap ran out.
     * Far above what the services keep in flight (grouped calls, one batch per pipeline).
     */
    public static final int MAX_QUEUED_COMMANDS = 50_000;

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final ClientResources resources; // null: the client's own
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private RedisConnection(
            RedisClient client, StatefulRedisConnection<String, String> connection, ClientResources resources) {
        this.client = client;
        this.connection = connection;
        this.resources = resources;
    }

    /** Connects to {@code settings.uri()}; fails if Redis does not answer. */
    public static RedisConnection connect(RedisSettings settings) {
        return connect(RedisClient.create(settings.uri()), null);
    }

    /**
     * Connects to {@code settings.uri()} and records every command's latency in {@code meters}; fails
     * if Redis does not answer.
     */
    public static RedisConnection connect(RedisSettings settings, MeterRegistry meters) {
        ClientResources resources = DefaultClientResources.builder()
                .commandLatencyRecorder(new MicrometerCommandLatencyRecorder(meters, LATENCY_METRICS))
                .build();
        return connect(RedisClient.create(resources, settings.uri()), resources);
    }

    private static RedisConnection connect(RedisClient client, ClientResources resources) {
        client.setOptions(
                ClientOptions.builder().requestQueueSize(MAX_QUEUED_COMMANDS).build());
        try {
            return new RedisConnection(client, client.connect(), resources);
        } catch (RuntimeException e) {
            client.shutdown();
            if (resources != null) {
                resources.shutdown();
            }
            throw e;
        }
    }

    public RedisReactiveCommands<String, String> reactive() {
        return connection.reactive();
    }

    /** Blocking commands, for tests and tools only: never call them on an event loop. */
    public RedisCommands<String, String> sync() {
        return connection.sync();
    }

    /** Closes the connection and the client; later calls do nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        connection.close();
        client.shutdown();
        if (resources != null) {
            // The client shuts down only the resources it made itself.
            resources.shutdown();
        }
    }
}
