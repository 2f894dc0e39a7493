package io.switchboard.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * A service's one Redis connection. Lettuce multiplexes every command of the service over it and
 * pipelines commands issued without waiting, which is both the fastest and the order-preserving
 * choice: commands issued in order on one connection run in that order.
 */
public final class RedisConnection implements AutoCloseable {

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private RedisConnection(RedisClient client, StatefulRedisConnection<String, String> connection) {
        this.client = client;
        this.connection = connection;
    }

    /** Connects to {@code settings.uri()}; fails if Redis does not answer. */
    public static RedisConnection connect(RedisSettings settings) {
        RedisClient client = RedisClient.create(settings.uri());
        try {
            return new RedisConnection(client, client.connect());
        } catch (RuntimeException e) {
            client.shutdown();
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
    }
}
