package io.switchboard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.redis.RedisConnection;
import io.switchboard.redis.RedisSettings;
import io.switchboard.test.TestInfra;
import java.time.Duration;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

class RedisSendLedgerIT extends AbstractSendLedgerContractTest {

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
    protected SendLedger ledger() {
        return new RedisSendLedger(redis.reactive(), Duration.ofDays(2));
    }

    @Test
    void claimsOlderThanTheWindowAreForgottenOnLaterClaims() {
        SendLedger shortWindow = new RedisSendLedger(redis.reactive(), Duration.ofMillis(200));
        String erin = "erin-" + UUID.randomUUID();
        shortWindow.claim(erin, "old", "m1", "bob").block();

        Awaitility.await().pollDelay(Duration.ofMillis(250)).until(() -> true);
        shortWindow.claim(erin, "new", "m2", "bob").block();

        assertThat(redis.sync().hkeys(RedisSendLedger.keys(erin)[0])).containsExactly("new");
        assertThat(shortWindow.claim(erin, "old", "m3", "bob").block().first()).isTrue();
    }

    @Test
    void claimsMadeWhileACallIsInFlightShareTheNextCall() {
        SendLedger ledger = ledger();
        long callsBefore = RedisScriptCalls.served(redis);

        Flux.range(0, 2_000)
                .flatMap(i -> ledger.claim("u" + i + "-" + UUID.randomUUID(), "c", "m" + i, "bob"), 2_000)
                .blockLast();

        assertThat(RedisScriptCalls.served(redis) - callsBefore).isBetween(4L, 400L);
    }
}
