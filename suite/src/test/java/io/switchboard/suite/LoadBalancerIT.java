package io.switchboard.suite;

import static io.switchboard.suite.Clients.json;
import static io.switchboard.suite.Clients.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.infra.FreePorts;
import io.switchboard.suite.deploy.Nginx;
import io.switchboard.test.TestInfra;
import io.switchboard.test.WsTestClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The load balancer of the container deployment (deploy/nginx/, the same main file and template
 * docker-compose uses) in front of two gateway nodes of the suite, with only the upstream
 * substituted: WebSockets pass through it, authenticated, and sessions are spread over both nodes.
 * Needs Debian's nginx ({@code .ci/run} installs it); skipped without it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LoadBalancerIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private static Path nginxBinary;
    private static Suite suite;
    private static PresenceApi presenceApi;
    private static Process nginx;
    private static int lbPort;

    @TempDir
    static Path directory;

    @BeforeAll
    static void start() throws IOException {
        nginxBinary = Nginx.binary().orElse(null);
        Assumptions.assumeTrue(
                nginxBinary != null,
                "nginx is not installed: skipping the load-balancer test"
                        + " (apt-get install nginx; .ci/run installs it)");
        suite = TestSuites.start(Map.of());
        presenceApi = new PresenceApi(suite);

        lbPort = FreePorts.resolve(0);
        Path lb = directory.resolve("lb");
        Nginx.render(
                lb,
                Map.of(
                        "NGINX_PORT",
                        "127.0.0.1:" + lbPort,
                        // the name of the upstream block below instead of the compose service name
                        "LB_GATEWAYS",
                        "gateways",
                        "NGINX_RESOLVER",
                        "127.0.0.1",
                        "NGINX_ACCESS_LOG",
                        lb.resolve("access.log").toString()),
                Map.of(
                        "gateways.conf",
                        // zone: one round-robin state for all worker processes
                        "upstream gateways {\n    zone gateways 64k;\n"
                                + "    server 127.0.0.1:" + suite.gatewayPorts().get(0) + ";\n"
                                + "    server 127.0.0.1:" + suite.gatewayPorts().get(1) + ";\n}\n"));
        Nginx.Result check = Nginx.test(nginxBinary, lb);
        assertThat(check.exitCode()).as(check.output()).isZero();
        nginx = new ProcessBuilder(Nginx.command(nginxBinary, lb))
                .redirectErrorStream(true)
                .redirectOutput(lb.resolve("nginx.out").toFile())
                .start();
        await().atMost(WAIT).until(() -> lbAnswers() || !nginx.isAlive());
        assertThat(nginx.isAlive())
                .as("nginx stopped: %s", Files.readString(lb.resolve("nginx.out")))
                .isTrue();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (nginx != null) {
            nginx.destroy(); // SIGTERM: nginx's fast shutdown, workers included
            if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
                nginx.destroyForcibly();
            }
        }
        if (suite != null) {
            suite.close();
        }
    }

    @Test
    void sessionsThroughTheLoadBalancerAreSpreadOverBothNodesAndMessagesPassBothWays() {
        List<String> users = new ArrayList<>();
        List<WsTestClient.Connection> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                String user = TestInfra.uniqueId("lb" + i);
                users.add(user);
                WsTestClient.Connection c = WsTestClient.connect(lb(null), Clients.token(user));
                JsonNode welcome = json(c.awaitFrame(f -> f.contains("\"welcome\""), WAIT));
                assertThat(welcome.get("user").asString()).isEqualTo(user);
                sessions.add(c);
            }

            Map<String, String> nodeOf = nodesOf(users);
            assertThat(new HashSet<>(nodeOf.values())).containsExactlyInAnyOrder("gw-1", "gw-2");

            // a message between two users held by different nodes, both through the load balancer
            int from = 0;
            int to = 1;
            while (nodeOf.get(users.get(to)).equals(nodeOf.get(users.get(from)))) {
                to++;
            }
            sessions.get(from).send(send("c1", users.get(to), "{\"text\":\"through the lb\"}"));
            JsonNode ack = json(sessions.get(from).awaitFrame(f -> f.contains("\"ack\""), WAIT));
            JsonNode msg = json(sessions.get(to).awaitFrame(f -> f.contains("\"msg\""), WAIT));
            assertThat(msg.get("id").asString()).isEqualTo(ack.get("id").asString());
            assertThat(msg.get("from").asString()).isEqualTo(users.get(from));
            assertThat(msg.get("body").get("text").asString()).isEqualTo("through the lb");
        } finally {
            sessions.forEach(WsTestClient.Connection::close);
        }
    }

    @Test
    void anUpgradeWithoutAValidTokenIsRefusedThroughTheLoadBalancer() {
        assertThat(WsTestClient.upgradeStatus(lb(null), null)).isEqualTo(401);
        assertThat(WsTestClient.upgradeStatus(lb(null), "garbage")).isEqualTo(401);
    }

    @Test
    void theAccessLogNeverShowsTheAccessTokenOfTheQueryString() throws IOException {
        String user = TestInfra.uniqueId("browser");
        String token = Clients.token(user);
        try (WsTestClient.Connection c = WsTestClient.connect(lb("access_token=" + token), null)) {
            c.awaitFrame(f -> f.contains("\"welcome\""), WAIT);
        }
        // nginx logs a WebSocket when it ends
        Path log = directory.resolve("lb/access.log");
        await().atMost(WAIT)
                .until(() -> Files.exists(log) && Files.readString(log).contains("\"path\":\"/ws\""));
        assertThat(Files.readString(log)).doesNotContain(token).doesNotContain("access_token");
    }

    @Test
    void theComposeConfigurationPassesNginxTest() {
        // As docker-compose.yml's lb service renders it: replicas found through Docker's DNS.
        Path compose = directory.resolve("compose");
        Nginx.render(
                compose,
                Map.of(
                        "NGINX_PORT", "8080",
                        "LB_GATEWAYS", "gateway:8080",
                        "NGINX_RESOLVER", "127.0.0.11",
                        "NGINX_ACCESS_LOG", "/dev/stdout"),
                Map.of());
        Nginx.Result check = Nginx.test(nginxBinary, compose);
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("test is successful");
    }

    @Test
    void monitoringEndpointsAreNotReachableThroughTheLoadBalancer() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        int direct = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                        + suite.gatewayPorts().get(0) + "/actuator/health"))
                                .build(),
                        BodyHandlers.discarding())
                .statusCode();
        int throughLb = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lbPort + "/actuator/health"))
                                .build(),
                        BodyHandlers.discarding())
                .statusCode();
        assertThat(direct).isEqualTo(200);
        assertThat(throughLb).isEqualTo(404);
    }

    /** Last: it stops a node. */
    @Test
    @Order(Integer.MAX_VALUE)
    void whenANodeLeavesItsClientsReconnectThroughTheLoadBalancerToTheOtherAndMessagesFlow() throws IOException {
        List<String> users = new ArrayList<>();
        List<WsTestClient.Connection> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                String user = TestInfra.uniqueId("leave" + i);
                users.add(user);
                WsTestClient.Connection c = WsTestClient.connect(lb(null), Clients.token(user));
                c.awaitFrame(f -> f.contains("\"welcome\""), WAIT);
                sessions.add(c);
            }
            Map<String, String> before = nodesOf(users);
            assertThat(before).containsValue("gw-1");

            suite.stopGateway(0);
            for (int i = 0; i < users.size(); i++) {
                if (before.get(users.get(i)).equals("gw-1")) {
                    // 1001 going away (or 1012 once gateways drain: reconnect elsewhere)
                    assertThat(sessions.get(i).awaitClosed(WAIT)).isIn(1001, 1012);
                    // the client reconnects to the same address: nginx skips the node that is gone;
                    // as a browser does, with the token in the query string
                    WsTestClient.Connection again =
                            WsTestClient.connect(lb("access_token=" + Clients.token(users.get(i))), null);
                    again.awaitFrame(f -> f.contains("\"welcome\""), WAIT);
                    sessions.set(i, again);
                }
            }
            assertThat(nodesOf(users))
                    .allSatisfy((user, node) -> assertThat(node).isEqualTo("gw-2"));

            sessions.get(0).send(send("after", users.get(1), "{\"text\":\"still here\"}"));
            JsonNode msg = json(sessions.get(1).awaitFrame(f -> f.contains("\"still here\""), WAIT));
            assertThat(msg.get("from").asString()).isEqualTo(users.get(0));

            // nginx logs a WebSocket when it ends: its failed try of the node that left shows in the
            // access log (a 502, then the upgrade on the other node), and no log has a token
            sessions.forEach(WsTestClient.Connection::close);
            Path lb = directory.resolve("lb");
            await().atMost(WAIT)
                    .until(() ->
                            Files.readString(lb.resolve("access.log")).contains("\"upstream_status\":\"502, 101\""));
            for (String log : List.of("access.log", "error.log", "nginx.out")) {
                if (Files.exists(lb.resolve(log))) {
                    assertThat(Files.readString(lb.resolve(log))).as(log).doesNotContain("access_token");
                }
            }
        } finally {
            sessions.forEach(WsTestClient.Connection::close);
        }
    }

    /** The node each user's single live session is on, once presence shows exactly one. */
    private static Map<String, String> nodesOf(List<String> users) {
        Map<String, String> nodeOf = new HashMap<>();
        await().atMost(WAIT).until(() -> {
            nodeOf.clear();
            for (String user : users) {
                JsonNode live = presenceApi.presence(user).get("sessions");
                if (live.size() == 1) {
                    nodeOf.put(user, live.get(0).get("node").asString());
                }
            }
            return nodeOf.size() == users.size();
        });
        return nodeOf;
    }

    private static URI lb(String query) {
        return URI.create("ws://127.0.0.1:" + lbPort + "/ws" + (query == null ? "" : "?" + query));
    }

    private static boolean lbAnswers() {
        try (var socket = new java.net.Socket("127.0.0.1", lbPort)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
