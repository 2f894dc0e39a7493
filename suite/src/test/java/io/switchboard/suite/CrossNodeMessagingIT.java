package io.switchboard.suite;

import static io.switchboard.suite.Clients.framesOfType;
import static io.switchboard.suite.Clients.json;
import static io.switchboard.suite.Clients.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.StatefulRedisConnection;
import io.switchboard.test.TestInfra;
import io.switchboard.test.TestTokens;
import io.switchboard.test.WsTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The whole suite against a real Kafka and a real Redis: presence, routing, offline and two gateway
 * nodes, with clients on different nodes.
 */
class CrossNodeMessagingIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(3);
    private static final int MAX_SESSIONS_PER_USER = 4;

    private static Suite suite;
    private static RedisClient redisClient;
    private static StatefulRedisConnection<String, String> redis;

    @BeforeAll
    static void startSuite() {
        suite = TestSuites.start(Map.of(
                "switchboard.heartbeat.interval",
                "1s",
                "switchboard.heartbeat.timeout",
                HEARTBEAT_TIMEOUT.toSeconds() + "s",
                "switchboard.gateway.max-sessions-per-user",
                Integer.toString(MAX_SESSIONS_PER_USER)));
        redisClient = RedisClient.create(TestInfra.redisUri());
        redis = redisClient.connect();
    }

    @AfterAll
    static void stopSuite() {
        if (redis != null) {
            redis.close();
            redisClient.shutdown();
        }
        if (suite != null) {
            suite.close();
        }
    }

    private static URI node(int index, String device) {
        return Clients.node(suite, index, device == null ? null : "device=" + device);
    }

    private static WsTestClient.Connection connect(int node, String user, String device) {
        return Clients.connect(suite, node, user, device == null ? null : "device=" + device);
    }

    @Test
    void aMessageCrossesNodesToEveryDeviceOfTheRecipient() {
        String alice = TestInfra.uniqueId("alice");
        String bob = TestInfra.uniqueId("bob");
        try (var a = connect(0, alice, null);
                var bobPhone = connect(1, bob, "phone");
                var bobWeb = connect(1, bob, "web")) {
            a.send(send("c1", bob, "{\"text\":\"hello\",\"n\":[1,2]}"));

            JsonNode ack = json(a.awaitFrame(f -> f.contains("\"ack\""), WAIT));
            assertThat(ack.get("cid").asString()).isEqualTo("c1");
            String id = ack.get("id").asString();

            for (var device : List.of(bobPhone, bobWeb)) {
                JsonNode msg = json(device.awaitFrame(f -> f.contains("\"msg\""), WAIT));
                assertThat(msg.get("id").asString()).isEqualTo(id);
                assertThat(msg.get("seq").asLong()).isEqualTo(1);
                assertThat(msg.get("from").asString()).isEqualTo(alice);
                assertThat(msg.get("to").asString()).isEqualTo(bob);
                assertThat(msg.get("body").toString()).isEqualTo("{\"text\":\"hello\",\"n\":[1,2]}");
                assertThat(msg.get("ts").asLong()).isPositive();
            }
        }
    }

    @Test
    void aBodyArrivesExactlyAsSentLiveAndFromTheInbox() {
        String alice = TestInfra.uniqueId("alice");
        String bob = TestInfra.uniqueId("bob");
        String body = "{ \"amount\": 19.990, \"exact\": 0.1000000000000000000001,\n \"note\": \"caf\\u00e9\" }";
        try (var a = connect(0, alice, null)) {
            a.send(send("offline", bob, body));
            a.awaitFrame(f -> f.contains("\"ack\"") && f.contains("\"offline\""), WAIT);
            try (var b = connect(1, bob, null)) {
                String stored = b.awaitFrame(f -> f.contains("\"msg\""), WAIT);
                a.send(send("live", bob, body));
                await().atMost(WAIT).until(() -> framesOfType(b, "msg").size() == 2);

                assertThat(stored).endsWith(",\"body\":" + body + "}");
                assertThat(b.received().stream().filter(f -> f.contains("\"seq\":2")))
                        .singleElement()
                        .satisfies(live -> assertThat(live).endsWith(",\"body\":" + body + "}"));
            }
        }
    }

    @Test
    void aThousandMessagesArriveInTheOrderSentWithSeqIncreasingByOne() {
        String alice = TestInfra.uniqueId("alice");
        String bob = TestInfra.uniqueId("bob");
        int count = 1000;
        try (var a = connect(0, alice, null);
                var b = connect(1, bob, null)) {
            // With Redis's script cache empty, the first sends' scripts fail with NOSCRIPT and are
            // retried while later ones succeed: their order must not depend on that.
            redis.sync().scriptFlush();
            long started = System.nanoTime();
            for (int i = 1; i <= count; i++) {
                a.send(send("c" + i, bob, "{\"n\":" + i + "}"));
            }

            await().atMost(WAIT).until(() -> framesOfType(a, "ack").size() == count);
            await().atMost(WAIT).until(() -> framesOfType(b, "msg").size() >= count);
            // A measurement for the record, not a target: benchmarks belong to the load generator.
            System.out.printf(
                    "1,000 messages across nodes delivered in %d ms%n", (System.nanoTime() - started) / 1_000_000);

            List<JsonNode> msgs = framesOfType(b, "msg");
            assertThat(msgs).hasSize(count);
            for (int i = 0; i < count; i++) {
                assertThat(msgs.get(i).get("body").get("n").asInt()).isEqualTo(i + 1);
                assertThat(msgs.get(i).get("seq").asLong()).isEqualTo(i + 1);
            }
            assertThat(framesOfType(a, "error")).isEmpty();
        }
    }

    @Test
    void aMessageToAUserWithNoSessionIsStoredWithItsSeq() {
        String alice = TestInfra.uniqueId("alice");
        String carol = TestInfra.uniqueId("carol");
        try (var a = connect(0, alice, null)) {
            a.send(send("c1", carol, "\"first\""));
            a.send(send("c2", carol, "\"second\""));
            await().atMost(WAIT).until(() -> framesOfType(a, "ack").size() == 2);
            List<String> ids = framesOfType(a, "ack").stream()
                    .sorted((x, y) ->
                            x.get("cid").asString().compareTo(y.get("cid").asString()))
                    .map(ack -> ack.get("id").asString())
                    .toList();

            String inbox = "sb:inbox:{" + carol + "}:msgs";
            await().atMost(WAIT).until(() -> redis.sync().zcard(inbox) == 2);
            List<ScoredValue<String>> stored = redis.sync().zrangeWithScores(inbox, 0, -1);
            assertThat(stored).extracting(ScoredValue::getScore).containsExactly(1.0, 2.0);
            assertThat(stored)
                    .extracting(v -> json(v.getValue()).get("id").asString())
                    .containsExactlyElementsOf(ids);
            assertThat(redis.sync().get("sb:inbox:{" + carol + "}:seq")).isEqualTo("2");
        }
    }

    @Test
    void anUpgradeWithoutAValidTokenIsRefusedWith401() {
        URI ws = node(0, null);

        assertThat(WsTestClient.upgradeStatus(ws, null)).isEqualTo(401);
        assertThat(WsTestClient.upgradeStatus(ws, "garbage")).isEqualTo(401);
        assertThat(WsTestClient.upgradeStatus(ws, TestTokens.expired(TestTokens.SECRET, "alice")))
                .isEqualTo(401);
        assertThat(WsTestClient.upgradeStatus(ws, TestTokens.withAlgNone("alice")))
                .isEqualTo(401);
        assertThat(WsTestClient.upgradeStatus(
                        ws, TestTokens.signedWith("some-other-secret-of-at-least-32-bytes", "alice")))
                .isEqualTo(401);
        assertThat(WsTestClient.upgradeStatus(ws, TestTokens.mint(TestTokens.SECRET, "alice", Duration.ofMinutes(1))))
                .isEqualTo(101);
    }

    @Test
    void aUsersSessionsPerNodeAreBoundedAndAClosedOneFreesItsPlace() {
        String user = TestInfra.uniqueId("many");
        String token = TestTokens.mint(TestTokens.SECRET, user, Duration.ofMinutes(1));
        List<WsTestClient.Connection> open = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_SESSIONS_PER_USER; i++) {
                open.add(connect(0, user, "d" + i));
            }
            assertThat(WsTestClient.upgradeStatus(node(0, "one-more"), token)).isEqualTo(429);
            assertThat(WsTestClient.upgradeStatus(node(1, "elsewhere"), token))
                    .as("the bound is per node")
                    .isEqualTo(101);

            open.remove(0).close();
            await().atMost(WAIT).until(() -> WsTestClient.upgradeStatus(node(0, "one-more"), token) == 101);
        } finally {
            open.forEach(WsTestClient.Connection::close);
        }
    }

    @Test
    void aServiceCredentialCannotOpenASession() {
        String serviceToken = TestTokens.service(TestTokens.SECRET, "alice", Duration.ofMinutes(1));

        assertThat(WsTestClient.upgradeStatus(node(0, null), serviceToken)).isEqualTo(403);
    }

    @Test
    void malformedFramesGetErrorFramesAndTheSessionKeepsWorking() {
        String alice = TestInfra.uniqueId("alice");
        String bob = TestInfra.uniqueId("bob");
        try (var a = connect(0, alice, null);
                var b = connect(1, bob, null)) {
            a.send("this is not json");
            a.send("{\"type\":\"shout\",\"cid\":\"x1\"}");
            a.send("{\"type\":\"send\",\"cid\":\"x2\",\"body\":1}");
            a.send("{\"type\":\"send\",\"cid\":\"x3\",\"to\":\"not a user\",\"body\":1}");
            a.send(send("x4", bob, "\"" + "a".repeat(70_000) + "\""));
            a.send("{\"type\":\"ping\"}");
            a.send(send("ok", bob, "\"still here\""));

            a.awaitFrame(f -> f.contains("\"ack\"") && f.contains("\"ok\""), WAIT);
            assertThat(framesOfType(a, "error"))
                    .extracting(e -> e.get("code").asString())
                    .containsExactly("bad_json", "unknown_type", "missing_field", "bad_recipient", "frame_too_large");
            assertThat(framesOfType(a, "error"))
                    .extracting(e -> e.has("cid") ? e.get("cid").asString() : null)
                    .containsExactly(null, "x1", "x2", "x3", null);
            assertThat(framesOfType(a, "pong")).hasSize(1);
            JsonNode msg = json(b.awaitFrame(f -> f.contains("\"msg\""), WAIT));
            assertThat(msg.get("body").asString()).isEqualTo("still here");
            assertThat(a.isOpen()).isTrue();
        }
    }

    @Test
    void aFrameBeyondTheTransportLimitClosesOnlyItsSessionWith1009() {
        String alice = TestInfra.uniqueId("alice");
        String bob = TestInfra.uniqueId("bob");
        try (var a = connect(0, alice, null);
                var neighbour = connect(0, TestInfra.uniqueId("carol"), null);
                var b = connect(1, bob, null)) {
            a.send(send("before", bob, "\"accepted\""));
            a.awaitFrame(f -> f.contains("\"ack\"") && f.contains("\"before\""), WAIT);
            // 64 KiB frames are answered with frame_too_large; beyond 128 KiB the gateway does not
            // buffer the frame at all
            a.send(send("huge", bob, "\"" + "a".repeat(200_000) + "\""));

            assertThat(a.awaitClosed(WAIT)).isEqualTo(1009);
            assertThat(json(b.awaitFrame(f -> f.contains("\"msg\""), WAIT))
                            .get("body")
                            .asString())
                    .isEqualTo("accepted");
            assertThat(neighbour.isOpen()).isTrue();
            neighbour.send("{\"type\":\"ping\"}");
            neighbour.awaitFrame(f -> f.contains("\"pong\""), WAIT);
        }
    }

    @Test
    void aMessageInFragmentsThatGrowsBeyondTheTransportLimitIsClosedWith1009Too() {
        try (var a = connect(0, TestInfra.uniqueId("alice"), null)) {
            String chunk = "a".repeat(60_000);
            // each frame is within the limit; the message they add up to (180 KB) is not
            a.sendFragmented(
                    "{\"type\":\"send\",\"cid\":\"f\",\"to\":\"bob\",\"body\":\"" + chunk, chunk, chunk + "\"}");

            assertThat(a.awaitClosed(WAIT)).isEqualTo(1009);
        }
    }

    @Test
    void aSilentClientIsClosedAfterTheHeartbeatTimeoutWhileALiveOneStays() {
        String quiet = TestInfra.uniqueId("quiet");
        String lively = TestInfra.uniqueId("lively");
        WsTestClient.Options silent = WsTestClient.Options.defaults().answerPings(false);
        try (var q = WsTestClient.connect(
                        node(1, null), TestTokens.mint(TestTokens.SECRET, quiet, Duration.ofMinutes(5)), silent);
                var l = connect(1, lively, null)) {
            q.awaitFrame(f -> f.contains("\"welcome\""), WAIT);

            int code = q.awaitClosed(HEARTBEAT_TIMEOUT.plusSeconds(5));

            assertThat(code).isEqualTo(4000);
            assertThat(l.isOpen()).isTrue();
        }
    }

    @Test
    void presenceShowsEverySessionOfAConnectedUserAndForgetsAClosedOne() throws Exception {
        String bob = TestInfra.uniqueId("bob");
        PresenceApi presence = new PresenceApi(suite);
        try (var phone = connect(0, bob, "phone")) {
            try (var web = connect(1, bob, "web")) {
                JsonNode view = presence.presence(bob);
                assertThat(view.get("online").asBoolean()).isTrue();
                assertThat(view.get("sessions")
                                .valueStream()
                                .map(s -> s.get("device").asString() + "@"
                                        + s.get("node").asString()))
                        .containsExactly("phone@gw-1", "web@gw-2");
            }
            await().atMost(WAIT).until(() -> presence.sessions(bob) == 1);
        }
        // only services may ask: without a credential, or with a user's token, no answer
        HttpClient http = HttpClient.newHttpClient();
        URI uri = URI.create("http://127.0.0.1:" + suite.port("presence") + "/api/v1/presence/" + bob);
        assertThat(http.send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(401);
        assertThat(http.send(
                                HttpRequest.newBuilder(uri)
                                        .header(
                                                "Authorization",
                                                "Bearer "
                                                        + TestTokens.mint(
                                                                TestTokens.SECRET, bob, Duration.ofMinutes(1)))
                                        .build(),
                                BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(403);
    }
}
