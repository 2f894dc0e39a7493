package io.switchboard.presence;

import io.switchboard.redis.RedisConnection;
import io.switchboard.redis.RedisSettings;
import io.switchboard.test.TestInfra;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class RedisPresenceStoreIT extends AbstractPresenceStoreContractTest {

    private static RedisConnection redis;
    private static RedisConnection otherRedis;
    private static RedisPresenceStore store;
    private static RedisPresenceStore other;

    @BeforeAll
    static void connect() {
        redis = RedisConnection.connect(new RedisSettings(TestInfra.redisUri()));
        otherRedis = RedisConnection.connect(new RedisSettings(TestInfra.redisUri()));
        store = new RedisPresenceStore(redis.reactive());
        other = new RedisPresenceStore(otherRedis.reactive());
    }

    @AfterAll
    static void disconnect() {
        redis.close();
        otherRedis.close();
    }

    @Override
    protected PresenceStore store() {
        return store;
    }

    @Override
    protected PresenceKeeper keeper() {
        return store;
    }

    @Override
    protected PresenceKeeper otherKeeper() {
        return other;
    }
}
