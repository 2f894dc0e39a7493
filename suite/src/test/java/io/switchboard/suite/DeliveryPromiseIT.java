package io.switchboard.suite;

import static io.switchboard.suite.Clients.WAIT;
import static io.switchboard.suite.Clients.connect;
import static io.switchboard.suite.Clients.framesOfType;
import static io.switchboard.suite.Clients.json;
import static io.switchboard.suite.Clients.msgSeqs;
import static io.switchboard.suite.Clients.recv;
import static io.switchboard.suite.Clients.send;
import static io.switchboard.suite.Clients.sendAcked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.switchboard.test.NonReadingWsClient;
import io.switchboard.test.TestInfra;
import io.switchboard.test.WsTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The delivery promise end to end, on a real Kafka and a real Redis: an acknowledged message reaches
 * every device once, in order — after the device was offline, through another node, during its
 * replay, after a repeated send, when it reads too slowly.
 *
 * <p>The gateways run with a small outbound queue (64 frames) so that replay and live bursts are
 * forced through the queue's backpressure, and a stuck device is found quickly.
 */
class DeliveryPromiseIT {

    private static Suite suite;
    private static RedisClient redisClient;
    private static StatefulRedisConnection<String, String> redis;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startSuite() {
        suite = TestSuites.start(Map.of(
                "switchboard.gateway.outbound-queue",
                "64",
                "switchboard.gateway.max-inflight-sends",
                "16",
                "switchboard.delivery.slow-consumer-timeout",
                "2s"));
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

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    private static List<String> msgIds(WsTestClient.Connection c) {
        return framesOfType(c, "msg").stream().map(m -> m.get("id").asString()).toList();
    }

    private static void awaitMessages(WsTestClient.Connection c, int count) {
        c.awaitFrames(f -> f.contains("\"msg\""), count, WAIT);
    }

    @Test
    void aDeviceThatWasOfflineGetsEveryMessageInOrderOnceThenLiveOnes() {
        String alice = TestInfra.uniqueId("alice");
        String bob = TestInfra.uniqueId("bob");
        try (var a = connect(suite, 0, alice, null)) {
            List<String> acked = sendAcked(a, bob, "c", 50);

            try (var b = connect(suite, 1, bob, "device=phone")) {
                awaitMessages(b, 50);
                List<String> more = sendAcked(a, bob, "d", 1);
                awaitMessages(b, 1);

                assertThat(msgSeqs(b)).isEqualTo(range(1, 51));
                assertThat(msgIds(b).subList(0, 50)).isEqualTo(acked);
                assertThat(msgIds(b).get(50)).isEqualTo(more.get(0));
                assertThat(json(b.received().get(0)).get("after").asLong()).isZero();
            }
        }
    }

    @Test
    void aDeviceResumesAfterItsConfirmedCursorThroughTheOtherNode() {
        String alice = TestInfra.uniqueId("alice");
        String bob = TestInfra.uniqueId("bob");
        try (var a = connect(suite, 0, alice, null)) {
            try (var b = connect(suite, 1, bob, "device=phone")) {
                sendAcked(a, bob, "c", 10);
                awaitMessages(b, 10);
                b.send(recv(10));
                await().atMost(WAIT).until(() -> "10".equals(redis.sync().hget("sb:cursor:{" + bob + "}", "phone")));
            }
            sendAcked(a, bob, "d", 10);

            try (var b = connect(suite, 0, bob, "device=phone")) {
                awaitMessages(b, 10);
                sendAcked(a, bob, "e", 1);
                awaitMessages(b, 1);

                assertThat(json(b.received().get(0)).get("after").asLong()).isEqualTo(10);
                assertThat(msgSeqs(b)).as("nothing confirmed is sent again").isEqualTo(range(11, 21));
            }
        }
    }

    @Test
    void unconfirmedMessagesAreSentAgainOnTheNextConnectAndAnotherDeviceHasItsOwnCursor() {
        String alice = TestInfra.uniqueId("alice");
        String bob = TestInfra.uniqueId("bob");
        try (var a = connect(suite, 0, alice, null)) {
            try (var phone = connect(suite, 1, bob, "device=phone")) {
                sendAcked(a, bob, "c", 3);
                awaitMessages(phone, 3);
                phone.send(recv(2));
                await().atMost(WAIT).until(() -> "2".equals(redis.sync().hget("sb:cursor:{" + bob + "}", "phone")));
            }
            try (var phone = connect(suite, 0, bob, "device=phone");
                    var laptop = connect(suite, 1, bob, "device=laptop")) {
                awaitMessages(phone, 1);
                awaitMessages(laptop, 3);

                assertThat(msgSeqs(phone)).containsExactly(3L);
                assertThat(msgSeqs(laptop)).containsExactly(1L, 2L, 3L);
            }
        }
    }

    @Test
    void messagesSentWhileTheReplayRunsAreDeliveredExactlyOnceInOrder() {
        String alice = TestInfra.uniqueId("alice");
        String bob = TestInfra.uniqueId("bob");
        try (var a = connect(suite, 0, alice, null)) {
            sendAcked(a, bob, "c", 1_500);

            try (var b = connect(suite, 1, bob, null)) {
                List<String> during = sendAcked(a, bob, "d", 300); // while the 1,500 are replayed
                awaitMessages(b, 1_800);

                assertThat(msgSeqs(b)).isEqualTo(range(1, 1_800));
                assertThat(msgIds(b)).doesNotHaveDuplicates().containsAll(during);
            }
        }
    }

    @Test
    void aClientMayAskToResumeAfterASeqAndToReadAgain() {
        String alice = TestInfra.uniqueId("alice");
        String bob = TestInfra.uniqueId("bob");
        try (var a = connect(suite, 0, alice, null)) {
            sendAcked(a, bob, "c", 5);
            // Acked means durable in Kafka; the inbox follows a moment later. A resume point beyond
            // the inbox's end is taken as the end (SessionFeed), so wait until all 5 are stored.
            await().atMost(WAIT).until(() -> "5".equals(redis.sync().get("sb:inbox:{" + bob + "}:seq")));

            try (var b = connect(suite, 1, bob, "after=3")) {
                awaitMessages(b, 2);
                assertThat(msgSeqs(b)).containsExactly(4L, 5L);

                b.send("{\"type\":\"sync\",\"after\":1}");
                JsonNode synced = json(b.awaitFrame(f -> f.contains("\"synced\""), WAIT));

                assertThat(synced.get("upTo").asLong()).isEqualTo(5);
                assertThat(msgSeqs(b)).containsExactly(4L, 5L, 2L, 3L, 4L, 5L);
            }
        }
    }

    @Test
    void aRepeatedCidIsStoredAndDeliveredOnceAndAckedWithTheSameId() {
        String alice = TestInfra.uniqueId("alice");
        String bob = TestInfra.uniqueId("bob");
        String carol = TestInfra.uniqueId("carol");
        try (var b = connect(suite, 1, bob, null)) {
            String firstId;
            try (var a = connect(suite, 0, alice, null)) {
                a.send(send("once", bob, "{\"text\":\"hi\"}"));
                a.send(send("once", bob, "{\"text\":\"hi\"}"));
                List<String> acks = a.awaitFrames(f -> f.contains("\"ack\""), 2, WAIT);
                firstId = json(acks.get(0)).get("id").asString();
                assertThat(json(acks.get(1)).get("id").asString()).isEqualTo(firstId);
            }
            try (var a = connect(suite, 1, alice, null)) { // after a reconnect that lost the ack
                a.send(send("once", bob, "{\"text\":\"hi\"}"));
                assertThat(json(a.awaitFrame(f -> f.contains("\"ack\""), WAIT))
                                .get("id")
                                .asString())
                        .isEqualTo(firstId);

                a.send(send("once", carol, "{\"text\":\"hi\"}"));
                JsonNode error = json(a.awaitFrame(f -> f.contains("\"error\""), WAIT));
                assertThat(error.get("code").asString()).isEqualTo("cid_conflict");

                a.send(send("after", bob, "1"));
                a.awaitFrame(f -> f.contains("\"ack\"") && f.contains("\"after\""), WAIT);
            }
            awaitMessages(b, 2);

            assertThat(msgIds(b)).hasSize(2).startsWith(firstId);
            assertThat(msgSeqs(b)).containsExactly(1L, 2L);
            assertThat(redis.sync().zcard("sb:inbox:{" + bob + "}:msgs")).isEqualTo(2);
        }
    }

    @Test
    void aDeviceThatStopsReadingIsClosedAsASlowConsumerAndLosesNothing() throws Exception {
        String alice = TestInfra.uniqueId("alice");
        String bob = TestInfra.uniqueId("bob");
        String body = "{\"pad\":\"" + "x".repeat(16 * 1024) + "\"}";
        URI uri = Clients.node(suite, 1, "device=phone");
        double slowConsumersBefore = closedAsSlowConsumer();
        try (var a = connect(suite, 0, alice, null);
                var stuck = NonReadingWsClient.connect(uri, Clients.token(bob))) {
            await().atMost(WAIT).until(() -> presenceSessions(bob) == 1);
            for (int i = 1; i <= 500; i++) {
                a.send(send("c" + i, bob, body));
            }
            a.awaitFrames(f -> f.contains("\"ack\""), 500, WAIT);

            // The gateway gives up on it (the slow-consumer timeout is 2 s here) and it leaves presence.
            await().atMost(WAIT).until(() -> presenceSessions(bob) == 0);
            int closeCode = stuck.drainUntilClosed();
            // -1: the close frame can be stuck behind the unread data, so the client may not see it
            assertThat(closeCode).isIn(4008, -1);
            assertThat(closedAsSlowConsumer()).as("closed as a slow consumer").isGreaterThan(slowConsumersBefore);
        }
        try (var b = connect(suite, 0, bob, "device=phone")) {
            awaitMessages(b, 500);

            assertThat(msgSeqs(b)).isEqualTo(range(1, 500));
        }
    }

    private static int presenceSessions(String user) {
        return new PresenceApi(suite).sessions(user);
    }

    private static double closedAsSlowConsumer() throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                + suite.gatewayPorts().get(1)
                                + "/actuator/metrics/switchboard.sessions.closed?tag=reason:slow_consumer"))
                        .build(),
                BodyHandlers.ofString());
        if (response.statusCode() == 404) {
            return 0; // no session closed for that reason yet
        }
        return json(response.body()).get("measurements").get(0).get("value").asDouble();
    }
}
