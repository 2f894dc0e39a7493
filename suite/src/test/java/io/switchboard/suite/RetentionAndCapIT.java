package io.switchboard.suite;

import static io.switchboard.suite.Clients.WAIT;
import static io.switchboard.suite.Clients.connect;
import static io.switchboard.suite.Clients.framesOfType;
import static io.switchboard.suite.Clients.json;
import static io.switchboard.suite.Clients.msgSeqs;
import static io.switchboard.suite.Clients.sendAcked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.switchboard.test.TestInfra;
import java.time.Duration;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Messages a device never got but the inbox no longer holds (cap or retention) are announced with a
 * {@code gap} frame, in sequence, never skipped silently. The suite keeps 20 messages per user for
 * 3 seconds.
 */
class RetentionAndCapIT {

    private static final Duration RETENTION = Duration.ofSeconds(3);
    private static Suite suite;

    @BeforeAll
    static void startSuite() {
        suite = TestSuites.start(Map.of(
                "switchboard.offline.max-messages-per-user",
                "20",
                "switchboard.offline.retention",
                RETENTION.toSeconds() + "s"));
    }

    private static void awaitStored(String user, long lastSeq) {
        RedisClient client = RedisClient.create(TestInfra.redisUri());
        try (var redis = client.connect()) {
            await().atMost(WAIT)
                    .until(() -> Long.toString(lastSeq).equals(redis.sync().get("sb:inbox:{" + user + "}:seq")));
        } finally {
            client.shutdown();
        }
    }

    @AfterAll
    static void stopSuite() {
        if (suite != null) {
            suite.close();
        }
    }

    @Test
    void messagesBeyondTheCapAreAnnouncedAsAGapBeforeTheRest() {
        String alice = TestInfra.uniqueId("alice");
        String bob = TestInfra.uniqueId("bob");
        try (var a = connect(suite, 0, alice, null)) {
            sendAcked(a, bob, "c", 30);
        }
        awaitStored(bob, 30); // acked means durable in Kafka; the inbox follows a moment later
        try (var b = connect(suite, 1, bob, null)) {
            b.awaitFrames(f -> f.contains("\"msg\""), 20, WAIT);

            JsonNode gap = json(b.received().get(1));
            assertThat(gap.get("type").asString()).isEqualTo("gap");
            assertThat(gap.get("from").asLong()).isEqualTo(1);
            assertThat(gap.get("to").asLong()).isEqualTo(10);
            assertThat(msgSeqs(b))
                    .isEqualTo(LongStream.rangeClosed(11, 30).boxed().toList());
        }
    }

    @Test
    void messagesPastTheRetentionAreAnnouncedAsAGap() {
        String alice = TestInfra.uniqueId("alice");
        String carol = TestInfra.uniqueId("carol");
        try (var a = connect(suite, 0, alice, null)) {
            sendAcked(a, carol, "old", 5);
            await().pollDelay(RETENTION.plusMillis(500)).atMost(WAIT).until(() -> true);
            sendAcked(a, carol, "new", 1);
        }
        awaitStored(carol, 6);
        try (var c = connect(suite, 1, carol, null)) {
            c.awaitFrames(f -> f.contains("\"msg\""), 1, WAIT);

            assertThat(framesOfType(c, "gap")).singleElement().satisfies(gap -> {
                assertThat(gap.get("from").asLong()).isEqualTo(1);
                assertThat(gap.get("to").asLong()).isEqualTo(5);
            });
            assertThat(msgSeqs(c)).containsExactly(6L);
        }
    }
}
