package io.switchboard.suite;

import static io.switchboard.suite.Clients.WAIT;
import static io.switchboard.suite.Clients.framesOfType;
import static io.switchboard.suite.Clients.json;
import static io.switchboard.suite.Clients.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.switchboard.test.TestInfra;
import io.switchboard.test.TestTokens;
import io.switchboard.test.WsTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The HTTP API for backends on the whole suite (two gateway nodes, real Kafka and Redis): publishing
 * to many users, idempotency, credentials, bad input, broadcast, and the contract being served.
 */
class BackendApiIT {

    private static Suite suite;
    private static RedisClient redisClient;
    private static StatefulRedisConnection<String, String> redis;

    @BeforeAll
    static void startSuite() {
        suite = TestSuites.start(Map.of("switchboard.api.keys", BackendApi.API_KEY));
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

    private static WsTestClient.Connection connect(int node, String user, String device) {
        return Clients.connect(suite, node, user, device == null ? null : "device=" + device);
    }

    private static List<String> users(String prefix, int count) {
        String run = TestInfra.uniqueId(prefix);
        List<String> users = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            users.add(run + "-" + i);
        }
        return users;
    }

    private static void assertMsg(JsonNode msg, String id, String from, String to, long seq) {
        assertThat(msg.get("id").asString()).isEqualTo(id);
        assertThat(msg.get("from").asString()).isEqualTo(from);
        assertThat(msg.get("to").asString()).isEqualTo(to);
        assertThat(msg.get("seq").asLong()).isEqualTo(seq);
    }

    @Test
    void aPublishToAThousandUsersReachesTheOnlineOnBothNodesAndTheOfflineOnReconnect() {
        List<String> users = users("fan", 1000);
        List<WsTestClient.Connection> online = new ArrayList<>();
        try {
            // 100 online on each node; the first user also on the other node with a second device
            for (int i = 0; i < 200; i++) {
                online.add(connect(i < 100 ? 0 : 1, users.get(i), null));
            }
            online.add(connect(1, users.get(0), "tablet"));

            long started = System.nanoTime();
            BackendApi.Answer answer = new BackendApi(suite, 0, BackendApi.serviceToken())
                    .publish("billing", users, "{\"text\":\"invoice ready\"}", "evt-1");
            long answeredMs = (System.nanoTime() - started) / 1_000_000;

            assertThat(answer.status()).isEqualTo(200);
            String id = answer.body().get("id").asString();
            assertThat(answer.body().get("recipients").asInt()).isEqualTo(1000);
            assertThat(answer.body().get("deduplicated").asBoolean()).isFalse();
            for (int i = 0; i < online.size(); i++) {
                String user = users.get(i == 200 ? 0 : i);
                JsonNode msg = json(online.get(i).awaitFrame(f -> f.contains("\"msg\""), WAIT));
                assertMsg(msg, id, "billing", user, 1);
                assertThat(msg.get("body").toString()).isEqualTo("{\"text\":\"invoice ready\"}");
            }
            long onlineMs = (System.nanoTime() - started) / 1_000_000;

            // the 800 offline users: each gets it right after welcome on connecting, on either node
            // (100 connections at a time)
            for (int batch = 200; batch < 1000; batch += 100) {
                List<WsTestClient.Connection> late = new ArrayList<>();
                try {
                    for (int i = batch; i < batch + 100; i++) {
                        late.add(WsTestClient.connect(Clients.node(suite, i % 2, null), Clients.token(users.get(i))));
                    }
                    for (int i = 0; i < late.size(); i++) {
                        JsonNode msg = json(late.get(i).awaitFrame(f -> f.contains("\"msg\""), WAIT));
                        assertMsg(msg, id, "billing", users.get(batch + i), 1);
                    }
                } finally {
                    late.forEach(WsTestClient.Connection::close);
                }
            }
            System.out.printf(
                    "publish to 1,000 users: answered in %d ms, all 200 online had it after %d ms%n",
                    answeredMs, onlineMs);
        } finally {
            online.forEach(WsTestClient.Connection::close);
        }
    }

    @Test
    void aRepeatedIdempotencyKeyIsDeliveredOnce() {
        List<String> users = users("idem", 3);
        BackendApi api = BackendApi.withKey(suite, 1);
        try (var first = connect(0, users.get(0), null)) {
            BackendApi.Answer one = api.publish("shop", users, "{\"n\":1}", "order-77");
            // a retry, through the other node, after a lost answer
            BackendApi.Answer again = BackendApi.withKey(suite, 0).publish("shop", users, "{\"n\":1}", "order-77");
            assertThat(one.status()).isEqualTo(200);
            assertThat(again.status()).isEqualTo(200);
            String id = one.body().get("id").asString();
            assertThat(again.body().get("id").asString()).isEqualTo(id);
            assertThat(again.body().get("deduplicated").asBoolean()).isTrue();

            // the same key for another message is refused, not silently taken for the old one
            assertThat(api.publish("shop", users, "{\"n\":2}", "order-77").code())
                    .isEqualTo("cid_conflict");
            assertThat(api.publish("shop", users.subList(0, 2), "{\"n\":1}", "order-77")
                            .status())
                    .isEqualTo(409);

            // a later message shows that nothing else came before it
            String next = api.publish("shop", users, "{\"n\":3}", "order-78")
                    .body()
                    .get("id")
                    .asString();
            JsonNode last = json(first.awaitFrame(f -> f.contains(next), WAIT));
            assertThat(last.get("seq").asLong()).isEqualTo(2);
            assertThat(framesOfType(first, "msg"))
                    .extracting(m -> m.get("id").asString())
                    .containsExactly(id, next);
            // each recipient's copy is stored in its own batch: the online one's may come first
            for (String offline : users.subList(1, 3)) {
                await().atMost(WAIT).until(() -> redis.sync().zcard("sb:inbox:{" + offline + "}:msgs") == 2);
            }
        }
    }

    @Test
    void callsWithoutAServiceCredentialAreRefused() {
        String user = TestInfra.uniqueId("guard");
        List<BackendApi> refused = List.of(
                new BackendApi(suite, 0, null),
                new BackendApi(suite, 0, "not-the-key-0123456789"),
                new BackendApi(suite, 0, TestTokens.expired(TestTokens.SECRET, "billing")),
                new BackendApi(suite, 0, TestTokens.service("another-secret-of-32-bytes-0123456789", "x", WAIT)));
        for (BackendApi api : refused) {
            BackendApi.Answer answer = api.publish("billing", List.of(user), "1", "c1");
            assertThat(answer.status()).isEqualTo(401);
            assertThat(answer.code()).isEqualTo("unauthorized");
            assertThat(api.broadcast("1").status()).isEqualTo(401);
            assertThat(api.createGroup(TestInfra.uniqueId("g"), List.of(user)).status())
                    .isEqualTo(401);
        }
        // however the path is spelled, if it reaches an API endpoint it needs the credential
        BackendApi anonymous = new BackendApi(suite, 0, null);
        String message = "{\"from\":\"billing\",\"to\":[\"" + user + "\"],\"body\":1,\"cid\":\"sp\"}";
        for (String path :
                List.of("/%61pi/v1/messages", "/api;x/v1/messages", "/api/v1;x/messages", "/%61%70%69/v1/messages/")) {
            BackendApi.Answer answer = anonymous.post(path, message);
            assertThat(answer.status()).as(path).isEqualTo(401);
            assertThat(answer.code()).as(path).isEqualTo("unauthorized");
        }
        assertThat(anonymous.post("/%61pi/v1/broadcast", "{\"body\":1}").status())
                .isEqualTo(401);
        // a valid user token is still not a service credential
        BackendApi asUser = new BackendApi(suite, 1, Clients.token(user));
        for (BackendApi.Answer answer : List.of(
                asUser.publish("billing", List.of(user), "1", "c1"), asUser.broadcast("1"), asUser.members("any"))) {
            assertThat(answer.status()).isEqualTo(403);
            assertThat(answer.code()).isEqualTo("service_credential_required");
        }
        // and none of them sent anything
        assertThat(redis.sync().exists("sb:inbox:{" + user + "}:msgs")).isZero();
    }

    @Test
    void badInputIsRefusedWithStableCodes() {
        BackendApi api = BackendApi.withKey(suite, 0);
        String ok = TestInfra.uniqueId("ok");
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i <= 10_000; i++) {
            tooMany.add("u" + i);
        }
        String big = "\"" + "x".repeat(70_000) + "\"";
        Map<String, BackendApi.Answer> answers = Map.of(
                "bad_json", api.post("/api/v1/messages", "{\"from\":"),
                "empty_recipients", api.publish("billing", List.of(), "1", "c1"),
                "too_many_recipients", api.publish("billing", tooMany, "1", "c1"),
                "bad_recipient", api.publish("billing", List.of(ok, "group:team"), "1", "c1"),
                "bad_from", api.publish("has space", List.of(ok), "1", "c1"),
                "missing_body", api.post("/api/v1/messages", "{\"from\":\"b\",\"to\":[\"" + ok + "\"],\"cid\":\"c\"}"),
                "body_too_large", api.publish("billing", List.of(ok), big, "c1"),
                "bad_cid", api.publish("billing", List.of(ok), "1", "c\\u00e9"),
                "bad_group", api.createGroup("no/slash", List.of(ok)),
                "bad_member", api.createGroup(TestInfra.uniqueId("g"), List.of("bad member")));
        answers.forEach((code, answer) -> {
            assertThat(answer.status()).as(code).isEqualTo(400);
            assertThat(answer.code()).as(code).isEqualTo(code);
        });
        BackendApi.Answer huge = api.publish("billing", List.of(ok), "\"" + "y".repeat(3_000_000) + "\"", "c1");
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.code()).isEqualTo("request_too_large");
        assertThat(api.members("no-such-group-" + ok).code()).isEqualTo("group_not_found");

        // a body declared as something else than JSON is refused before it is read; none counts as JSON
        String message = "{\"from\":\"billing\",\"to\":[\"" + ok + "\"],\"body\":1,\"cid\":\"ct-";
        for (String notJson : List.of("text/plain", "application/x-www-form-urlencoded", "application/xml", "*/*")) {
            BackendApi.Answer refused = api.post("/api/v1/messages", message + notJson.length() + "\"}", notJson);
            assertThat(refused.status()).as(notJson).isEqualTo(415);
            assertThat(refused.code()).as(notJson).isEqualTo("unsupported_media_type");
        }
        assertThat(new BackendApi(suite, 0, null)
                        .post("/api/v1/messages", message + "anon\"}", "text/plain")
                        .status())
                .as("credentials are checked first")
                .isEqualTo(401);
        assertThat(redis.sync().exists("sb:inbox:{" + ok + "}:msgs")).isZero();
        List<String> json = Arrays.asList("application/json; charset=utf-8", "application/vnd.acme+json", null);
        for (int i = 0; i < json.size(); i++) {
            assertThat(api.post("/api/v1/messages", message + "json-" + i + "\"}", json.get(i))
                            .status())
                    .as(String.valueOf(json.get(i)))
                    .isEqualTo(200);
        }

        // the node is still fine
        assertThat(api.publish("billing", List.of(ok), "1", "c1").status()).isEqualTo(200);
    }

    @Test
    void aBroadcastReachesEveryOpenSessionAndIsNotStored() {
        List<String> users = users("bc", 20);
        List<WsTestClient.Connection> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < users.size(); i++) {
                sessions.add(connect(i % 2, users.get(i), null));
            }
            sessions.add(connect(0, users.get(1), "second"));

            BackendApi.Answer answer = BackendApi.withKey(suite, 1).broadcast("{\"text\":\"maintenance at 22:00\"}");
            assertThat(answer.status()).isEqualTo(202);
            String id = answer.body().get("id").asString();
            for (var session : sessions) {
                JsonNode frame = json(session.awaitFrame(f -> f.contains("\"broadcast\""), WAIT));
                assertThat(frame.get("id").asString()).isEqualTo(id);
                assertThat(frame.get("from").asString()).isEqualTo("system");
                assertThat(frame.get("body").toString()).isEqualTo("{\"text\":\"maintenance at 22:00\"}");
            }

            // a session that opens later never sees it: the next broadcast is its first
            try (var late = connect(1, users.get(2), "late")) {
                String second = BackendApi.withKey(suite, 0)
                        .broadcast("2")
                        .body()
                        .get("id")
                        .asString();
                late.awaitFrame(f -> f.contains(second), WAIT);
                assertThat(framesOfType(late, "broadcast"))
                        .extracting(b -> b.get("id").asString())
                        .containsExactly(second);
                assertThat(framesOfType(late, "msg")).isEmpty();
            }
        } finally {
            sessions.forEach(WsTestClient.Connection::close);
        }
    }

    @Test
    void theContractIsServedByEveryGatewayNode() throws Exception {
        for (int port : suite.gatewayPorts()) {
            var response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/openapi/gateway.yaml"))
                                    .build(),
                            BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body())
                    .startsWith("openapi: 3")
                    .contains(
                            "/api/v1/messages",
                            "/api/v1/broadcast",
                            "/api/v1/groups/{id}/members",
                            "too_many_recipients",
                            "bearer")
                    .doesNotContain("/dev/token");
        }
    }

    @Test
    void aGroupOfFiftyMembersAcrossNodesConverses() {
        List<String> members = users("member", 50);
        String group = TestInfra.uniqueId("team");
        BackendApi api = BackendApi.withKey(suite, 0);
        assertThat(api.createGroup(group, members.subList(0, 30)).status()).isEqualTo(201);
        assertThat(api.addMembers(group, members.subList(30, 50))
                        .body()
                        .get("members")
                        .asInt())
                .isEqualTo(50);
        assertThat(api.createGroup(group, List.of()).code()).isEqualTo("group_exists");

        List<WsTestClient.Connection> sessions = new ArrayList<>();
        String outsider = TestInfra.uniqueId("outsider");
        try (var stranger = connect(0, outsider, null)) {
            for (int i = 0; i < members.size(); i++) {
                sessions.add(connect(i % 2, members.get(i), null));
            }
            // the first speaker's second device, on the other node
            var speakerTablet = connect(1, members.get(0), "tablet");
            sessions.add(speakerTablet);

            // five members speak, two messages each, all at once
            int speakers = 5;
            for (int round = 1; round <= 2; round++) {
                for (int s = 0; s < speakers; s++) {
                    sessions.get(s * 10)
                            .send(groupSend("r" + round, group, "{\"round\":" + round + ",\"s\":" + s + "}"));
                }
            }
            // Read the acks from every frame received rather than with awaitFrames: that would move the
            // session's cursor past the msg frames that arrived before the second ack.
            for (int s = 0; s < speakers; s++) {
                var speaker = sessions.get(s * 10);
                await().atMost(WAIT)
                        .untilAsserted(
                                () -> assertThat(framesOfType(speaker, "ack")).hasSize(2));
            }
            // every member, the speakers and the speaker's other device included, gets all ten, numbered
            // 1..10 in their own sequence, each speaker's two in the order spoken
            for (int i = 0; i < sessions.size(); i++) {
                var session = sessions.get(i);
                String member = members.get(i == members.size() ? 0 : i);
                List<JsonNode> msgs = new ArrayList<>();
                session.awaitFrames(f -> f.contains("\"msg\""), 10, WAIT).forEach(f -> msgs.add(json(f)));
                assertThat(msgs)
                        .extracting(m -> m.get("seq").asLong())
                        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
                assertThat(msgs)
                        .allSatisfy(m -> assertThat(m.get("to").asString()).isEqualTo("group:" + group));
                for (int s = 0; s < speakers; s++) {
                    String speaker = members.get(s * 10);
                    assertThat(msgs.stream()
                                    .filter(m -> m.get("from").asString().equals(speaker))
                                    .map(m -> m.get("body").get("round").asInt()))
                            .as("%s hears %s", member, speaker)
                            .containsExactly(1, 2);
                }
            }

            // outsiders may not speak
            stranger.send(groupSend("x1", group, "1"));
            JsonNode error = json(stranger.awaitFrame(f -> f.contains("\"error\""), WAIT));
            assertThat(error.get("code").asString()).isEqualTo("not_a_member");

            // a removed member hears nothing more; the others hear the next message as their 11th
            assertThat(api.removeMember(group, members.get(49)).status()).isEqualTo(204);
            assertThat(api.members(group).body().get("members")).hasSize(49);
            sessions.get(1).send(groupSend("after-removal", group, "\"bye 49\""));
            String id = json(sessions.get(1).awaitFrame(f -> f.contains("after-removal"), WAIT))
                    .get("id")
                    .asString();
            JsonNode eleventh = json(sessions.get(48).awaitFrame(f -> f.contains(id), WAIT));
            assertThat(eleventh.get("seq").asLong()).isEqualTo(11);
            sessions.get(49).send(groupSend("gone", group, "1"));
            assertThat(json(sessions.get(49).awaitFrame(f -> f.contains("\"error\""), WAIT))
                            .get("code")
                            .asString())
                    .isEqualTo("not_a_member");
            assertThat(framesOfType(sessions.get(49), "msg")).hasSize(10);

            assertThat(api.deleteGroup(group).status()).isEqualTo(204);
            assertThat(api.members(group).status()).isEqualTo(404);
        } finally {
            sessions.forEach(WsTestClient.Connection::close);
        }
    }

    @Test
    void aGroupNeverGrowsBeyondItsMaximum() {
        BackendApi api = BackendApi.withKey(suite, 1);
        List<String> users = users("crowd", 1001);
        String group = TestInfra.uniqueId("crowd");
        assertThat(api.createGroup(group, users).code()).isEqualTo("group_too_large");
        assertThat(api.createGroup(group, users.subList(0, 999)).status()).isEqualTo(201);

        BackendApi.Answer tooMany = api.addMembers(group, users.subList(998, 1001));
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.code()).isEqualTo("group_too_large");
        assertThat(api.members(group).body().get("members")).hasSize(999);
        assertThat(api.addMembers(group, users.subList(998, 1000))
                        .body()
                        .get("members")
                        .asInt())
                .isEqualTo(1000);
    }

    static String groupSend(String cid, String group, String body) {
        return send(cid, "group:" + group, body);
    }
}
