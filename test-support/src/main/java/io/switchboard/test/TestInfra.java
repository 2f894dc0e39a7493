package io.switchboard.test;

import io.switchboard.infra.KafkaServer;
import io.switchboard.infra.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The real Kafka broker and Redis server of this test JVM, each started on first use and shared by
 * every test in it, never restarted and never flushed: tests isolate themselves by unique ids
 * ({@link #uniqueId}). Local ones stop in a shutdown hook; containers are removed by Testcontainers.
 * Topics are never created automatically on the brokers started here.
 *
 * <p>Where they come from, in this order:
 *
 * <ol>
 *   <li>{@code SWITCHBOARD_TEST_KAFKA} (bootstrap servers) and {@code SWITCHBOARD_TEST_REDIS} (a Redis
 *       URI) name external ones;
 *   <li>otherwise the mode, from the system property {@code switchboard.test.infra} or the
 *       environment variable {@code SWITCHBOARD_TEST_INFRA}:
 *       <ul>
 *         <li>{@code local}: Kafka (KRaft) in this JVM and a {@code redis-server} child process, on
 *             free ports on 127.0.0.1 ({@code local-infra});
 *         <li>{@code testcontainers}: {@code apache/kafka} and {@code redis} (AOF on) containers;
 *         <li>{@code auto} (default): Testcontainers when a Docker endpoint exists ({@code DOCKER_HOST},
 *             {@code ~/.testcontainers.properties} or a known {@code docker.sock}) and its engine
 *             answers; else local, at once, on a machine with no Docker engine.
 *       </ul>
 * </ol>
 */
public final class TestInfra {

    private static final Logger log = LoggerFactory.getLogger(TestInfra.class);
    private static final String KAFKA_IMAGE = "apache/kafka:4.1.0";
    private static final String REDIS_IMAGE = "redis:7-alpine";

    private static String kafka;
    private static String redis;
    private static Boolean useContainers;

    private TestInfra() {}

    /** Bootstrap servers of the test Kafka (auto-creation of topics is off). */
    public static synchronized String kafkaBootstrapServers() {
        if (kafka == null) {
            kafka = external("SWITCHBOARD_TEST_KAFKA");
            if (kafka == null) {
                kafka = useContainers() ? startKafkaContainer() : startLocalKafka();
            }
        }
        return kafka;
    }

    /** The URI of the test Redis, e.g. {@code redis://127.0.0.1:40123}. */
    public static synchronized String redisUri() {
        if (redis == null) {
            redis = external("SWITCHBOARD_TEST_REDIS");
            if (redis == null) {
                redis = useContainers() ? startRedisContainer() : startLocalRedis();
            }
        }
        return redis;
    }

    /** {@code prefix} plus a random suffix: a user, topic or group no other test uses. */
    public static String uniqueId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 12);
    }

    private static String external(String variable) {
        String value = System.getenv(variable);
        return value == null || value.isBlank() ? null : value;
    }

    private static String mode() {
        String mode = System.getProperty("switchboard.test.infra");
        if (mode == null || mode.isBlank()) {
            mode = System.getenv("SWITCHBOARD_TEST_INFRA");
        }
        return mode == null || mode.isBlank() ? "auto" : mode.toLowerCase(Locale.ROOT);
    }

    /** Decided once per JVM, so Kafka and Redis always come from the same place. */
    private static synchronized boolean useContainers() {
        if (useContainers == null) {
            useContainers = switch (mode()) {
                case "local" -> false;
                case "testcontainers" -> true;
                case "auto" -> dockerEngineAnswers();
                default ->
                    throw new IllegalStateException(
                            "switchboard.test.infra must be auto, local or testcontainers, not " + mode());
            };
            log.info("test infrastructure: {}", useContainers ? "Testcontainers" : "local processes");
        }
        return useContainers;
    }

    /**
     * Asks Testcontainers only when a Docker endpoint plausibly exists: without one its probe costs a
     * second and logs an error on a machine that has a Docker client but no engine.
     */
    private static boolean dockerEngineAnswers() {
        String home = System.getProperty("user.home");
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        boolean endpoint = System.getenv("DOCKER_HOST") != null
                || Files.exists(Path.of(home, ".testcontainers.properties"))
                || Stream.of(
                                Path.of("/var/run/docker.sock"),
                                Path.of(home, ".docker/run/docker.sock"),
                                Path.of(home, ".docker/desktop/docker.sock"),
                                Path.of(home, ".colima/default/docker.sock"),
                                Path.of(home, ".rd/docker.sock"),
                                runtime == null ? null : Path.of(runtime, "docker.sock"))
                        .filter(Objects::nonNull)
                        .anyMatch(Files::exists);
        return endpoint && DockerClientFactory.instance().isDockerAvailable();
    }

    private static String startLocalKafka() {
        KafkaServer server = KafkaServer.start(KafkaServer.Options.defaults());
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "test-kafka-stop"));
        return server.bootstrapServers();
    }

    private static String startLocalRedis() {
        RedisServer server = RedisServer.start(RedisServer.Options.defaults());
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "test-redis-stop"));
        return server.uri();
    }

    private static String startKafkaContainer() {
        KafkaContainer container = new KafkaContainer(KAFKA_IMAGE)
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                .withEnv("KAFKA_NUM_PARTITIONS", "4");
        container.start();
        log.info("test Kafka: container {}", KAFKA_IMAGE);
        return container.getBootstrapServers();
    }

    @SuppressWarnings("resource")
    private static String startRedisContainer() {
        GenericContainer<?> container = new GenericContainer<>(REDIS_IMAGE)
                .withCommand("redis-server", "--appendonly", "yes", "--appendfsync", "everysec", "--save", "")
                .withExposedPorts(6379);
        container.start();
        log.info("test Redis: container {}", REDIS_IMAGE);
        return "redis://" + container.getHost() + ":" + container.getMappedPort(6379);
    }
}
