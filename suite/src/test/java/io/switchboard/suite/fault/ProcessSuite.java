package io.switchboard.suite.fault;

import io.switchboard.infra.FreePorts;
import io.switchboard.test.TestTokens;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The whole suite as separate processes, on ports picked free at start: redis-server (AOF), a Kafka
 * broker in its own JVM, offline-, routing- and presence-service and two gateway nodes {@code gw-1},
 * {@code gw-2}, each in its own JVM. Its parts can be killed, stopped and started again on the same
 * ports and data; {@link #close} stops whatever still runs. Output lands in {@code <root>/logs}.
 */
final class ProcessSuite implements AutoCloseable {

    static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private final Path root;
    private final Map<String, Part> parts = new LinkedHashMap<>();
    private final RedisPart redis;
    private final int[] gatewayPorts;
    private final int presencePort;
    private final String bootstrap;

    /**
     * @param gatewayArgs extra command-line arguments of both gateway nodes (e.g. drain settings)
     */
    ProcessSuite(Path root, List<String> gatewayArgs) throws IOException {
        this.root = root;
        deleteRecursively(root);
        Path logs = root.resolve("logs");
        Files.createDirectories(logs);
        int[] ports = FreePorts.distinct(8);
        int kafkaPort = ports[0];
        this.bootstrap = "127.0.0.1:" + kafkaPort;
        this.gatewayPorts = new int[] {ports[3], ports[4]};
        this.presencePort = ports[5];
        this.redis = new RedisPart(ports[2], root.resolve("redis"));
        parts.put("redis-server", redis);
        parts.put(
                "kafka",
                JvmPart.withReadyLine(
                        "kafka",
                        "io.switchboard.infra.KafkaServerMain",
                        List.of(
                                Integer.toString(kafkaPort),
                                Integer.toString(ports[1]),
                                root.resolve("kafka").toString()),
                        logs,
                        "KAFKA READY"));
        List<String> common = List.of(
                "--switchboard.kafka.bootstrap-servers=" + bootstrap,
                "--switchboard.redis.uri=" + redis.uri(),
                "--switchboard.jwt.secret=" + TestTokens.SECRET,
                // group joins and partition assignments in the logs, to explain recovery times
                "--logging.level.org.apache.kafka.clients.consumer.internals.ConsumerCoordinator=INFO");
        // offline-service first: it creates the shared topics (the others also ensure theirs)
        parts.put(
                "offline-service",
                JvmPart.service(
                        "offline-service", "io.switchboard.offline.OfflineServiceApplication", ports[7], common, logs));
        parts.put(
                "routing-service",
                JvmPart.service(
                        "routing-service", "io.switchboard.routing.RoutingServiceApplication", ports[6], common, logs));
        parts.put(
                "presence-service",
                JvmPart.service(
                        "presence-service",
                        "io.switchboard.presenceservice.PresenceServiceApplication",
                        ports[5],
                        common,
                        logs));
        for (int i = 0; i < 2; i++) {
            String node = "gw-" + (i + 1);
            List<String> args = new ArrayList<>(common);
            args.add("--switchboard.gateway.node-id=" + node);
            args.addAll(gatewayArgs);
            parts.put(
                    node,
                    JvmPart.service(
                            node, "io.switchboard.gateway.GatewayServiceApplication", gatewayPorts[i], args, logs));
        }
    }

    /** Starts every part in order and waits until each serves. */
    void start() {
        redis.start();
        Part kafka = parts.get("kafka");
        kafka.start();
        kafka.awaitReady(READY_TIMEOUT);
        List<Part> services =
                parts.values().stream().filter(p -> p != redis && p != kafka).toList();
        services.forEach(Part::start);
        for (Part service : services) {
            service.awaitReady(READY_TIMEOUT);
        }
    }

    Part part(String name) {
        return parts.get(name);
    }

    JvmPart gateway(int index) {
        return (JvmPart) parts.get("gw-" + (index + 1));
    }

    int gatewayPort(int index) {
        return gatewayPorts[index];
    }

    /** The WebSocket URIs of {@code gw-1} and {@code gw-2}. */
    List<URI> gatewayWebSockets() {
        return List.of(
                URI.create("ws://127.0.0.1:" + gatewayPorts[0] + "/ws"),
                URI.create("ws://127.0.0.1:" + gatewayPorts[1] + "/ws"));
    }

    /** presence-service's HTTP base, e.g. for {@code /actuator/prometheus}. */
    URI presenceHttp() {
        return URI.create("http://127.0.0.1:" + presencePort);
    }

    int redisPort() {
        return Integer.parseInt(redis.uri().substring(redis.uri().lastIndexOf(':') + 1));
    }

    String kafkaBootstrap() {
        return bootstrap;
    }

    Path root() {
        return root;
    }

    /** Stops every part, the last started first. */
    @Override
    public void close() {
        List<Part> reversed = new ArrayList<>(parts.values());
        Collections.reverse(reversed);
        for (Part part : reversed) {
            try {
                part.stop();
            } catch (RuntimeException e) {
                System.err.println("stopping " + part.name() + ": " + e);
            }
        }
    }

    static boolean awaitCondition(Duration timeout, BooleanSupplier condition, String failure)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        if (failure != null) {
            throw new AssertionError("timed out waiting for: " + failure);
        }
        return false;
    }

    static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
