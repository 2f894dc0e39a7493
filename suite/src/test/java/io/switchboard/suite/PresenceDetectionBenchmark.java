package io.switchboard.suite;

import static org.awaitility.Awaitility.await;

import io.switchboard.test.TestInfra;
import io.switchboard.test.TestTokens;
import io.switchboard.test.WsTestClient;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * How long presence takes to see 200 clients go away, with the shipped defaults (heartbeat 10 s /
 * 30 s, node lease 15 s, grace 3 s, sweep every 250 ms), on real Kafka and Redis: 200 clients that
 * close their sockets, 200 that go silent, and 200 on a gateway node that is killed. A measurement,
 * not a test (its name does not end in IT, so {@code verify} skips it). Run it with
 *
 * <pre>./mvnw -o verify -pl suite -am -Dtest=None -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=PresenceDetectionBenchmark</pre>
 *
 * The results are in docs/presence.md. Each delay is measured from the client's side (its close,
 * its last frame, or the kill) to the first query answer that shows the user offline; the query
 * polls all 200 users every 50 ms.
 */
class PresenceDetectionBenchmark {

    private static final int CLIENTS = 200;
    private static final Duration POLL = Duration.ofMillis(50);
    private static final HttpClient http = HttpClient.newHttpClient();

    @Test
    void measure() throws Exception {
        try (Suite suite = TestSuites.start(Map.of())) {
            query(suite, List.of("warm-up"));
            List<String> report = new ArrayList<>();

            // 1. closed sockets
            List<String> users = users("closer");
            List<WsTestClient.Connection> clients = connectAll(suite, 0, users, WsTestClient.Options.defaults());
            Map<String, Long> closedAt = new HashMap<>();
            for (int i = 0; i < users.size(); i++) {
                closedAt.put(users.get(i), System.nanoTime());
                clients.get(i).close();
            }
            report.add(line("closed socket", "1000", until(suite, users, closedAt)));

            // 2. silent clients (no pong, no frame after the upgrade)
            users = users("silent");
            Map<String, Long> silentSince = new HashMap<>();
            clients =
                    connectAll(suite, 1, users, WsTestClient.Options.defaults().answerPings(false), silentSince);
            report.add(line("silent client (from its last frame)", "32000", until(suite, users, silentSince)));
            clients.forEach(WsTestClient.Connection::close);

            // 3. killed node
            users = users("stranded");
            clients = connectAll(suite, 1, users, WsTestClient.Options.defaults());
            long killedAt = System.nanoTime();
            suite.crashGateway(1);
            report.add(line("killed gateway node", "17000", until(suite, users, same(users, killedAt))));
            clients.forEach(WsTestClient.Connection::close);

            System.out.println(
                    "\n| case (200 clients) | promise ms | min | p50 | p95 | max |\n|---|---|---|---|---|---|");
            report.forEach(System.out::println);
        }
    }

    private static List<String> users(String prefix) {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            users.add(TestInfra.uniqueId(prefix + i));
        }
        return users;
    }

    private static Map<String, Long> same(List<String> users, long at) {
        Map<String, Long> from = new HashMap<>();
        users.forEach(u -> from.put(u, at));
        return from;
    }

    private static List<WsTestClient.Connection> connectAll(
            Suite suite, int node, List<String> users, WsTestClient.Options options) {
        return connectAll(suite, node, users, options, new HashMap<>());
    }

    /** Connects each user; {@code welcomed} gets when each got its welcome (nanoTime). */
    private static List<WsTestClient.Connection> connectAll(
            Suite suite, int node, List<String> users, WsTestClient.Options options, Map<String, Long> welcomed) {
        List<WsTestClient.Connection> clients = new ArrayList<>();
        for (String user : users) {
            WsTestClient.Connection c = WsTestClient.connect(
                    suite.gatewayWebSocket(node),
                    TestTokens.mint(TestTokens.SECRET, user, Duration.ofHours(1)),
                    options);
            c.awaitFrame(f -> f.contains("\"welcome\""), Duration.ofSeconds(20));
            welcomed.put(user, System.nanoTime());
            clients.add(c);
        }
        return clients;
    }

    /** Milliseconds from each user's {@code from} (nanoTime) until it was first seen offline, sorted. */
    private static long[] until(Suite suite, List<String> users, Map<String, Long> from) {
        Map<String, Long> offlineAt = new HashMap<>();
        await().atMost(Duration.ofSeconds(90)).pollInterval(POLL).until(() -> {
            JsonNode answer = query(suite, users);
            long now = System.nanoTime();
            answer.get("users").forEach(p -> {
                if (!p.get("online").asBoolean()) {
                    String user = p.get("user").asString();
                    offlineAt.putIfAbsent(user, (now - from.get(user)) / 1_000_000);
                }
            });
            return offlineAt.size() == users.size();
        });
        long[] delays =
                offlineAt.values().stream().mapToLong(Long::longValue).sorted().toArray();
        return delays;
    }

    private static JsonNode query(Suite suite, List<String> users) {
        return new PresenceApi(suite).query(users);
    }

    private static String line(String name, String promise, long[] sorted) {
        String row = String.format(
                "| %s | %s | %d | %d | %d | %d |",
                name,
                promise,
                sorted[0],
                sorted[sorted.length / 2],
                sorted[(int) Math.ceil(sorted.length * 0.95) - 1],
                sorted[sorted.length - 1]);
        System.out.println(row);
        return row;
    }
}
