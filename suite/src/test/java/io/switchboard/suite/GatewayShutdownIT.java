package io.switchboard.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.protocol.Json;
import io.switchboard.test.TestInfra;
import io.switchboard.test.TestTokens;
import io.switchboard.test.WsTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A gateway node that shuts down tells its clients to go elsewhere and leaves presence clean. */
class GatewayShutdownIT {

    @Test
    void stoppingAGatewayClosesItsSessionsWithGoingAwayAndTheyLeavePresence() throws Exception {
        try (Suite suite = Suite.start(new Suite.Options(
                TestInfra.kafkaBootstrapServers(),
                TestInfra.redisUri(),
                new Suite.ServicePorts(0, 0, 0),
                List.of(0, 0),
                Map.of("switchboard.jwt.secret", TestTokens.SECRET)))) {
            String bob = TestInfra.uniqueId("bob");
            String token = TestTokens.mint(TestTokens.SECRET, bob, Duration.ofMinutes(5));
            URI presence = URI.create("http://127.0.0.1:" + suite.port("presence") + "/api/v1/presence/" + bob);
            HttpClient http = HttpClient.newHttpClient();
            try (var onNode1 = WsTestClient.connect(suite.gatewayWebSocket(0), token);
                    var onNode2 = WsTestClient.connect(suite.gatewayWebSocket(1), token)) {
                onNode1.awaitFrame(f -> f.contains("\"welcome\""), Duration.ofSeconds(10));
                onNode2.awaitFrame(f -> f.contains("\"welcome\""), Duration.ofSeconds(10));

                long started = System.nanoTime();
                suite.stopGateway(0);

                assertThat(onNode1.awaitClosed(Duration.ofSeconds(10))).isEqualTo(1001);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
                assertThat(onNode2.isOpen()).isTrue();
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> Json.MAPPER
                                        .readTree(http.send(
                                                        HttpRequest.newBuilder(presence)
                                                                .build(),
                                                        BodyHandlers.ofString())
                                                .body())
                                        .get("sessions")
                                        .size()
                                == 1);
            }
        }
    }
}
