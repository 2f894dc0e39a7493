package io.switchboard.suite;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.switchboard.test.TestInfra;
import io.switchboard.test.WsTestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How long one {@code POST /api/v1/messages} to 10,000 recipients takes, 2,000 of them online (1,000
 * on each gateway node), on real Kafka and Redis with the shipped defaults: until the call is
 * answered (every copy durably accepted), and until every online recipient has its {@code msg}. A
 * measurement, not a test (its name does not end in IT, so {@code verify} skips it). Run it with
 *
 * <pre>./mvnw -o verify -pl suite -am -Dtest=None -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=PublishFanOutBenchmark -Dfailsafe.failIfNoSpecifiedTests=false</pre>
 *
 * The results are in docs/benchmarks.md ("Fan-out from the HTTP API"). Arrival is seen by polling
 * every client every 2 ms (and every inbox every 20 ms), so times are at most that late. Each run
 * starts after every copy of the previous one is stored.
 */
class PublishFanOutBenchmark {

    private static final int RECIPIENTS = 10_000;
    private static final int ONLINE = 2_000;
    private static final int RUNS = 5;

    @Test
    void measure() {
        try (Suite suite = TestSuites.start(Map.of("switchboard.api.keys", BackendApi.API_KEY))) {
            String run = TestInfra.uniqueId("bench");
            List<String> users = new ArrayList<>(RECIPIENTS);
            for (int i = 0; i < RECIPIENTS; i++) {
                users.add(run + "-" + i);
            }
            List<WsTestClient.Connection> online = new ArrayList<>(ONLINE);
            RedisClient redisClient = RedisClient.create(TestInfra.redisUri());
            try (StatefulRedisConnection<String, String> connection = redisClient.connect()) {
                RedisCommands<String, String> redis = connection.sync();
                long connecting = System.nanoTime();
                // every fifth recipient is online, so they are spread over every chunk of the call
                for (int i = 0; i < ONLINE; i++) {
                    online.add(WsTestClient.connect(
                            Clients.node(suite, i % 2, null), Clients.token(users.get(i * (RECIPIENTS / ONLINE)))));
                }
                for (WsTestClient.Connection c : online) {
                    c.awaitFrame(f -> f.contains("\"welcome\""), Duration.ofSeconds(60));
                }
                System.out.printf("%d sessions open in %d ms%n", ONLINE, (System.nanoTime() - connecting) / 1_000_000);

                BackendApi api = BackendApi.withKey(suite, 0);
                List<String> rows = new ArrayList<>();
                for (int r = 0; r <= RUNS; r++) {
                    long started = System.nanoTime();
                    BackendApi.Answer answer = api.publish("bench", users, "{\"run\":" + r + "}", run + "-" + r);
                    long answered = (System.nanoTime() - started) / 1_000_000;
                    assertThat(answer.status()).isEqualTo(200);
                    long[] arrived = arrivals(online, r + 2, started);
                    // the offline recipients' copies, too: the next run starts on an idle pipeline
                    long stored = storedForAll(redis, users, r + 1, started);
                    if (r == 0) {
                        continue; // warm-up: scripts, connections, JIT
                    }
                    Arrays.sort(arrived);
                    String row = String.format(
                            "| %d | %d | %d | %d | %d | %d | %d |",
                            r,
                            answered,
                            stored,
                            arrived[0],
                            arrived[arrived.length / 2],
                            arrived[(int) Math.ceil(arrived.length * 0.99) - 1],
                            arrived[arrived.length - 1]);
                    System.out.println(row);
                    rows.add(row);
                }
                System.out.println(
                        "\n| run | answered ms | all 10,000 stored ms | first online has it ms | p50 | p99 | last online |\n"
                                + "|---|---|---|---|---|---|---|");
                rows.forEach(System.out::println);
            } finally {
                online.forEach(WsTestClient.Connection::close);
                redisClient.shutdown();
            }
        }
    }

    /** Milliseconds from {@code started} until every recipient's inbox holds {@code seq} messages. */
    private static long storedForAll(RedisCommands<String, String> redis, List<String> users, long seq, long started) {
        String[] keys = users.stream().map(u -> "sb:inbox:{" + u + "}:seq").toArray(String[]::new);
        long deadline = started + Duration.ofSeconds(120).toNanos();
        while (true) {
            long now = System.nanoTime();
            boolean all =
                    redis.mget(keys).stream().allMatch(kv -> kv.hasValue() && Long.parseLong(kv.getValue()) >= seq);
            if (all) {
                return (now - started) / 1_000_000;
            }
            assertThat(now).as("every recipient's copy stored in time").isLessThan(deadline);
            sleep(20);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Milliseconds from {@code started} until each client holds {@code frames} frames. */
    private static long[] arrivals(List<WsTestClient.Connection> clients, int frames, long started) {
        long[] at = new long[clients.size()];
        Arrays.fill(at, -1);
        int missing = clients.size();
        long deadline = started + Duration.ofSeconds(120).toNanos();
        while (missing > 0) {
            long now = System.nanoTime();
            assertThat(now).as("every online recipient got the message in time").isLessThan(deadline);
            for (int i = 0; i < at.length; i++) {
                if (at[i] < 0 && clients.get(i).received().size() >= frames) {
                    at[i] = (now - started) / 1_000_000;
                    missing--;
                }
            }
            sleep(2);
        }
        return at;
    }
}
