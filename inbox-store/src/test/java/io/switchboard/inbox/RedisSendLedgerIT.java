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
    void aClaimIsRememberedForAtLeastTheWindowAndForgottenWithinTwo() {
        Duration window = Duration.ofSeconds(1);
        SendLedger ledger = new RedisSendLedger(redis.reactive(), window);
        String erin = "erin-" + UUID.randomUUID();
        ledger.claim(erin, "old", "m1", "bob").block();

        pause(window.plusMillis(100));
        ledger.claim(erin, "new", "m2", "bob").block();
        assertThat(ledger.claim(erin, "old", "m3", "bob").block()).isEqualTo(new SendLedger.Claim("m1", "bob", false));

        pause(window.plusMillis(100));
        ledger.claim(erin, "newest", "m4", "bob").block();
        assertThat(ledger.claim(erin, "old", "m5", "bob").block().first()).isTrue();
        assertThat(ledger.claim(erin, "new", "m6", "bob").block().messageId()).isEqualTo("m2");
    }

    @Test
    void everyKeyTheLedgerWritesExpiresWithinTwoWindows() {
        Duration window = Duration.ofSeconds(1);
        SendLedger ledger = new RedisSendLedger(redis.reactive(), window);
        String erin = "erin-" + UUID.randomUUID();
        ledger.claim(erin, "c1", "m1", "bob").block();

        // A repeat a window later starts a new generation that holds no claim of its own.
        pause(window.plusMillis(100));
        assertThat(ledger.claim(erin, "c1", "m2", "bob").block().first()).isFalse();

        for (String key : RedisSendLedger.keys(erin)) {
            assertThat(redis.sync().pttl(key)).as(key).isBetween(1L, 2 * window.toMillis());
        }
    }

    @Test
    void claimsStoredByTheEarlierLayoutAreHonoured() {
        SendLedger ledger = ledger();
        String erin = "erin-" + UUID.randomUUID();
        // Before generations, the claims hash had no start field and a sorted set of claim times beside it.
        redis.sync().hset(RedisSendLedger.keys(erin)[0], "c1", "m0|bob");
        redis.sync().pexpire(RedisSendLedger.keys(erin)[0], Duration.ofDays(2).toMillis());

        assertThat(ledger.claim(erin, "c1", "m1", "bob").block()).isEqualTo(new SendLedger.Claim("m0", "bob", false));
        assertThat(ledger.claim(erin, "c2", "m2", "bob").block().first()).isTrue();
    }

    private static void pause(Duration duration) {
        Awaitility.await().pollDelay(duration).until(() -> true);
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
