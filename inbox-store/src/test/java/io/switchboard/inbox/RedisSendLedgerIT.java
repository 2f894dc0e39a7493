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

    /** Short enough for a test to outlast, long enough that no step of one takes as long on a slow machine. */
    private static final Duration SHORT_WINDOW = Duration.ofSeconds(1);

    @Override
    protected SendLedger ledger() {
        return new RedisSendLedger(redis.reactive(), Duration.ofDays(2));
    }

    @Test
    void aClaimIsRememberedForAtLeastTheWindowAndForgottenWithinTwo() {
        SendLedger ledger = new RedisSendLedger(redis.reactive(), SHORT_WINDOW);
        String erin = newUser();
        ledger.claim(erin, "old", "m1", "bob").block();

        waitPastTheShortWindow();
        ledger.claim(erin, "new", "m2", "bob").block();
        assertThat(ledger.claim(erin, "old", "m3", "bob").block()).isEqualTo(new SendLedger.Claim("m1", "bob", false));

        waitPastTheShortWindow();
        ledger.claim(erin, "newest", "m4", "bob").block();
        assertThat(ledger.claim(erin, "old", "m5", "bob").block().first()).isTrue();
        assertThat(ledger.claim(erin, "new", "m6", "bob").block().messageId()).isEqualTo("m2");
    }

    @Test
    void aClaimMadeLateInAGenerationIsStillRememberedAWindowLater() throws InterruptedException {
        SendLedger ledger = new RedisSendLedger(redis.reactive(), SHORT_WINDOW);
        String erin = newUser();
        long started = System.nanoTime();
        ledger.claim(erin, "early", "m1", "bob").block(); // starts the generation
        sleepUntil(started, 700);
        ledger.claim(erin, "late", "m2", "bob").block();
        sleepUntil(started, 1_150);
        ledger.claim(erin, "next", "m3", "bob").block(); // a window on: the generation becomes :prev

        sleepUntil(started, 1_550); // 0.85 windows after the late claim
        assertThat(ledger.claim(erin, "late", "m4", "bob").block()).isEqualTo(new SendLedger.Claim("m2", "bob", false));
    }

    private static void sleepUntil(long startedNanos, long millis) throws InterruptedException {
        long left = millis - (System.nanoTime() - startedNanos) / 1_000_000;
        if (left > 0) {
            Thread.sleep(left);
        }
    }

    @Test
    void everyKeyTheLedgerWritesExpiresWithinTwoWindows() {
        SendLedger ledger = new RedisSendLedger(redis.reactive(), SHORT_WINDOW);
        String erin = newUser();
        ledger.claim(erin, "c1", "m1", "bob").block();

        // A repeat a window later starts a new generation that holds no claim of its own.
        waitPastTheShortWindow();
        assertThat(ledger.claim(erin, "c1", "m2", "bob").block().first()).isFalse();

        for (String key : RedisSendLedger.keys(erin)) {
            assertThat(redis.sync().pttl(key)).as(key).isBetween(1L, 2 * SHORT_WINDOW.toMillis());
        }
    }

    @Test
    void claimsStoredByTheEarlierLayoutAreHonoured() {
        SendLedger ledger = ledger();
        String erin = newUser();
        // Before generations, the claims hash had no start field and a sorted set of claim times beside it.
        redis.sync().hset(RedisSendLedger.keys(erin)[0], "c1", "m0|bob");
        redis.sync().pexpire(RedisSendLedger.keys(erin)[0], Duration.ofDays(2).toMillis());

        assertThat(ledger.claim(erin, "c1", "m1", "bob").block()).isEqualTo(new SendLedger.Claim("m0", "bob", false));
        assertThat(ledger.claim(erin, "c2", "m2", "bob").block().first()).isTrue();
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

    private static String newUser() {
        return "erin-" + UUID.randomUUID();
    }

    private static void waitPastTheShortWindow() {
        Awaitility.await().pollDelay(SHORT_WINDOW.plusMillis(100)).until(() -> true);
    }
}
