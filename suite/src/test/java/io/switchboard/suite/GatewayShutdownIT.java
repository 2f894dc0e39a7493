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
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A gateway node that stops drains: it refuses new sessions at once (readiness down, upgrades 503),
 * closes its sessions with 1012 spread over the drain window, and leaves presence clean. The same
 * under traffic, with separate processes and SIGTERM: {@code fault.RollingRestartIT}.
 */
class GatewayShutdownIT {

    private static final Duration SPREAD = Duration.ofSeconds(2);

    @Test
    void aStoppingGatewayRefusesNewSessionsAndClosesItsOwnWith1012SpreadOverTheDrainWindow() throws Exception {
        try (Suite suite = TestSuites.start(Map.of("switchboard.drain.spread", SPREAD.toMillis() + "ms"))) {
            String bob = TestInfra.uniqueId("bob");
            String carol = TestInfra.uniqueId("carol");
            String bobToken = TestTokens.mint(TestTokens.SECRET, bob, Duration.ofMinutes(5));
            String carolToken = TestTokens.mint(TestTokens.SECRET, carol, Duration.ofMinutes(5));
            PresenceApi presence = new PresenceApi(suite);
            URI node1 = URI.create("http://127.0.0.1:" + suite.gatewayPorts().get(0));
            HttpClient http = HttpClient.newHttpClient();
            assertThat(status(http, node1.resolve("/actuator/health/readiness")))
                    .isEqualTo(200);
            try (var bobOnNode1 = WsTestClient.connect(suite.gatewayWebSocket(0), bobToken);
                    var carolOnNode1 = WsTestClient.connect(suite.gatewayWebSocket(0), carolToken);
                    var bobOnNode2 = WsTestClient.connect(suite.gatewayWebSocket(1), bobToken)) {
                for (var c : List.of(bobOnNode1, carolOnNode1, bobOnNode2)) {
                    c.awaitFrame(f -> f.contains("\"welcome\""), Duration.ofSeconds(10));
                }

                long started = System.nanoTime();
                CompletableFuture<Long> bobClosed = closedAfterMillis(bobOnNode1, started);
                CompletableFuture<Long> carolClosed = closedAfterMillis(carolOnNode1, started);
                CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> suite.stopGateway(0));

                // refused at once, while its sessions are still being closed
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> status(http, node1.resolve("/actuator/health/readiness")) == 503);
                assertThat(status(http, node1.resolve("/actuator/health")))
                        .as("the overall health a load balancer may check")
                        .isEqualTo(503);
                HttpResponse<String> upgrade = http.send(
                        HttpRequest.newBuilder(node1.resolve("/ws"))
                                .header("Authorization", "Bearer " + bobToken)
                                .build(),
                        BodyHandlers.ofString());
                assertThat(upgrade.statusCode()).isEqualTo(503);
                assertThat(Json.MAPPER.readTree(upgrade.body()).get("code").asString())
                        .isEqualTo("draining");

                assertThat(bobOnNode1.awaitClosed(Duration.ofSeconds(10))).isEqualTo(1012);
                assertThat(carolOnNode1.awaitClosed(Duration.ofSeconds(10))).isEqualTo(1012);
                long first = Math.min(bobClosed.join(), carolClosed.join());
                long second = Math.max(bobClosed.join(), carolClosed.join());
                // two sessions over a 2 s spread: one at the start, one half-way
                assertThat(second - first)
                        .as("ms between the two closes")
                        .isGreaterThanOrEqualTo(SPREAD.toMillis() / 4);
                assertThat(second).as("ms until the last close").isLessThan(SPREAD.toMillis() + 3000);
                stopped.get();
                assertThat(bobOnNode2.isOpen()).isTrue();
                await().atMost(Duration.ofSeconds(10)).until(() -> presence.sessions(bob) == 1);
            }
        }
    }

    /** Completes with the ms from {@code startedNanos} until the connection closed. */
    private static CompletableFuture<Long> closedAfterMillis(WsTestClient.Connection c, long startedNanos) {
        return CompletableFuture.supplyAsync(() -> {
            c.awaitClosed(Duration.ofSeconds(15));
            return (System.nanoTime() - startedNanos) / 1_000_000;
        });
    }

    private static int status(HttpClient http, URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).build(), BodyHandlers.discarding())
                .statusCode();
    }
}
