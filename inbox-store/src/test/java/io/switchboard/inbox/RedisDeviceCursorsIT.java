package io.switchboard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.redis.RedisConnection;
import io.switchboard.redis.RedisSettings;
import io.switchboard.test.TestInfra;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

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

    @Test
    void confirmationsMadeWhileACallIsInFlightShareTheNextCallAndEachKeepsItsOwnAnswer() {
        DeviceCursors cursors = cursors();
        String run = UUID.randomUUID().toString();
        long callsBefore = RedisScriptCalls.served(redis);

        // 2,000 confirmations at once: 500 users, two devices each, each device confirmed twice,
        // the higher seq first (the second must change nothing).
        Flux.range(0, 2_000)
                .flatMap(
                        i -> {
                            String user = "u" + (i % 500) + "-" + run;
                            String device = i % 1_000 < 500 ? "phone" : "web";
                            long seq = i < 1_000 ? 10 + i % 500 : 1;
                            return cursors.confirm(user, device, seq);
                        },
                        2_000)
                .blockLast(Duration.ofSeconds(30));

        assertThat(RedisScriptCalls.served(redis) - callsBefore).isBetween(4L, 400L);
        assertThat(cursors.get("u7-" + run, "phone").block()).isEqualTo(17);
        assertThat(cursors.get("u7-" + run, "web").block()).isEqualTo(17);
        assertThat(cursors.get("u499-" + run, "web").block()).isEqualTo(509);
    }
}
