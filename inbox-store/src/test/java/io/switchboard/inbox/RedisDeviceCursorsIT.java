package io.switchboard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.redis.RedisConnection;
import io.switchboard.redis.RedisSettings;
import io.switchboard.test.TestInfra;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisDeviceCursorsIT extends AbstractDeviceCursorsContractTest {

    private static RedisConnection redis;

    @BeforeAll
    static void connect() {
        redis = RedisConnection.connect(new RedisSettings(TestInfra.redisUri()));
    }

    @AfterAll
    static void disconnect() {
        redis.close();
    }

    @Override
    protected DeviceCursors cursors() {
        return new RedisDeviceCursors(redis.reactive(), Duration.ofDays(30));
    }

    @Test
    void cursorsExpireTheirTimeToLiveAfterTheUsersLastConfirmation() {
        cursors().confirm("dave", "phone", 1).block();

        assertThat(redis.sync().pttl(RedisDeviceCursors.key("dave")))
                .isBetween(
                        Duration.ofDays(30).toMillis() - 60_000,
                        Duration.ofDays(30).toMillis());
    }
}
