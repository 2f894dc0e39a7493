package io.switchboard.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.switchboard.inbox.DeviceCursors;
import io.switchboard.inbox.RedisDeviceCursors;
import io.switchboard.loadgen.client.LoadClient;
import io.switchboard.loadgen.client.LoadConnection;
import io.switchboard.loadgen.client.Tokens;
import io.switchboard.loadgen.scenario.MessagingScenario;
import io.switchboard.loadgen.scenario.Pattern;
import io.switchboard.loadgen.scenario.PhaseResult;
import io.switchboard.suite.Suite;
import io.switchboard.test.TestInfra;
import io.switchboard.test.TestTokens;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The load generator against the whole suite (two gateway nodes, real Kafka and Redis), briefly:
 * every message it sends across nodes is acknowledged and delivered once, so its accounting and the
 * message path agree.
 */
class MessagingScenarioIT {

    private static Suite suite;
    private static LoadClient client;

    @BeforeAll
    static void start() {
        suite = Suite.start(new Suite.Options(
                TestInfra.kafkaBootstrapServers(),
                TestInfra.redisUri(),
                new Suite.ServicePorts(0, 0, 0),
                List.of(0, 0),
                Map.of("switchboard.jwt.secret", TestTokens.SECRET),
                // The hop separate deployments use; the suite's own tests cover the in-process one.
                Suite.SequencedHandOff.KAFKA));
        client = new LoadClient(new Tokens(TestTokens.SECRET, Duration.ofMinutes(10)), 2);
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (suite != null) {
            suite.close();
        }
    }

    @Test
    void crossNodeMessagesAtAFixedRateAreAllDeliveredOnceAndNoneIsLost() {
        try (MessagingScenario scenario = new MessagingScenario(
                client,
                Pattern.DIRECT,
                List.of(suite.gatewayWebSocket(0), suite.gatewayWebSocket(1)),
                40,
                10_000,
                16,
                System.out::println)) {
            LoadClient.ConnectResult opened = scenario.open(40, Duration.ofSeconds(20));
            assertThat(opened.failed()).isZero();

            PhaseResult result = scenario.phase("it", 500, Duration.ofSeconds(3), Duration.ofSeconds(15));

            assertThat(result.sent()).isEqualTo(1500);
            assertThat(result.acked()).isEqualTo(result.sent());
            assertThat(result.lost()).isZero();
            assertThat(result.delivered()).isEqualTo(result.sent());
            assertThat(result.duplicates()).isZero();
            assertThat(result.outOfOrder()).isZero();
            assertThat(result.misrouted()).isZero();
            assertThat(result.latency().count()).isEqualTo(result.sent());
            assertThat(result.closeCodes()).isEmpty();

            // Like the SDK, every connection confirmed what it got: each device resumes after it.
            RedisClient redis = RedisClient.create(TestInfra.redisUri());
            try (var connection = redis.connect()) {
                DeviceCursors cursors = new RedisDeviceCursors(connection.reactive(), Duration.ofMinutes(5));
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                    for (LoadConnection c : opened.connections()) {
                        assertThat(cursors.get(c.user(), c.device()).block())
                                .as("cursor of %s", c)
                                .isEqualTo(c.lastSeq())
                                .isPositive();
                    }
                });
            } finally {
                redis.shutdown();
            }
        }
    }
}
