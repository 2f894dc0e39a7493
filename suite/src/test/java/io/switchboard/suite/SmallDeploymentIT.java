package io.switchboard.suite;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.infra.FreePorts;
import io.switchboard.test.TestInfra;
import io.switchboard.test.TestTokens;
import io.switchboard.test.WsTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's suite command as a small production deployment: the one JVM ({@link LocalSuite}) run
 * against an existing Kafka and Redis, outside local mode, as an operator would.
 */
class SmallDeploymentIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private Process process;

    @AfterEach
    void stop() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroy(); // SIGTERM: the gateway drains, then everything stops
            if (!process.waitFor(40, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void runsOnTheGivenKafkaAndRedisWithoutDevelopmentExtrasAndCarriesMessages() throws Exception {
        int[] ports = FreePorts.distinct(4);
        Path log = dir.resolve("suite.log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-Xms64m", "-Xmx512m", "-XX:TieredStopAtLevel=1"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(LocalSuite.class.getName());
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment()
                .putAll(Map.of(
                        "SWITCHBOARD_KAFKA_BOOTSTRAP_SERVERS", TestInfra.kafkaBootstrapServers(),
                        "SWITCHBOARD_REDIS_URI", TestInfra.redisUri(),
                        "SWITCHBOARD_JWT_SECRET", TestTokens.SECRET,
                        "SWITCHBOARD_GATEWAY_PORTS", Integer.toString(ports[0]),
                        "SWITCHBOARD_PRESENCE_PORT", Integer.toString(ports[1]),
                        "SWITCHBOARD_ROUTING_PORT", Integer.toString(ports[2]),
                        "SWITCHBOARD_OFFLINE_PORT", Integer.toString(ports[3]),
                        "SWITCHBOARD_DATA_DIR", dir.resolve("data").toString()));
        process = builder.start();
        awaitLine(log, "Switchboard is ready");

        String output = Files.readString(log);
        assertThat(output)
                .as("neither Kafka nor Redis started here, and no tokens printed")
                .contains("(not started here)")
                .doesNotContain("KRaft, data in")
                .doesNotContain("development tokens")
                .doesNotContain("eyJ");
        assertThat(Files.exists(dir.resolve("data").resolve("kafka"))).isFalse();

        // With Kafka and Redis of its own, local mode is off unless asked for: no development token endpoint.
        HttpResponse<String> devToken = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[0] + "/dev/token"))
                                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"x\"}"))
                                .header("Content-Type", "application/json")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(devToken.statusCode()).isEqualTo(404);

        URI ws = URI.create("ws://127.0.0.1:" + ports[0] + "/ws");
        String alice = TestInfra.uniqueId("alice");
        String bob = TestInfra.uniqueId("bob");
        try (var a = WsTestClient.connect(ws, TestTokens.mint(TestTokens.SECRET, alice, Duration.ofMinutes(5)));
                var b = WsTestClient.connect(ws, TestTokens.mint(TestTokens.SECRET, bob, Duration.ofMinutes(5)))) {
            b.awaitFrame(f -> f.contains("\"welcome\""), WAIT);
            a.send(Clients.send("c1", bob, "{\"text\":\"hi\"}"));

            a.awaitFrame(f -> f.contains("\"ack\""), WAIT);
            String msg = b.awaitFrame(f -> f.contains("\"msg\""), WAIT);
            assertThat(Clients.json(msg).get("from").asString()).isEqualTo(alice);
            assertThat(Clients.json(msg).get("seq").asLong()).isEqualTo(1);
        }
    }

    private void awaitLine(Path log, String line) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(line)) {
                return;
            }
            assertThat(process.isAlive())
                    .as("the suite exited early; its output:%n%s", Files.exists(log) ? Files.readString(log) : "")
                    .isTrue();
            Thread.sleep(200);
        }
        throw new AssertionError("not ready within 90 s; output:\n" + Files.readString(log));
    }
}
