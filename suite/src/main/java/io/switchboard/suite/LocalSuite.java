package io.switchboard.suite;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.switchboard.auth.JwtSecret;
import io.switchboard.auth.TokenVerifier;
import io.switchboard.infra.KafkaServer;
import io.switchboard.infra.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The README's main command: the whole suite on this machine, in the foreground. A real Kafka
 * (KRaft, in-process) and a real redis-server (child process, AOF on) keep their data in
 * {@code SWITCHBOARD_DATA_DIR} between runs; presence, routing, offline and the gateway nodes run as
 * separate Spring applications in this JVM (see {@link Suite}). Ctrl-C stops everything, gateways
 * first.
 *
 * <p>The same JVM serves a small deployment: with {@code SWITCHBOARD_KAFKA_BOOTSTRAP_SERVERS} and
 * {@code SWITCHBOARD_REDIS_URI} set it uses those instead of starting its own, and then, unless
 * {@code SWITCHBOARD_LOCAL_MODE=true}, it has no development extras and prints no tokens. Tokens are
 * printed only when they are signed with the built-in development secret.
 */
public final class LocalSuite {

    private LocalSuite() {}

    /** {@code SWITCHBOARD_SEQUENCED_HAND_OFF}: {@code in-process} (default) or {@code kafka}. */
    private static Suite.SequencedHandOff handOff() {
        String value = env("SWITCHBOARD_SEQUENCED_HAND_OFF", "in-process");
        switch (value) {
            case "in-process":
                return Suite.SequencedHandOff.IN_PROCESS;
            case "kafka":
                return Suite.SequencedHandOff.KAFKA;
            default:
                throw new IllegalArgumentException(
                        "SWITCHBOARD_SEQUENCED_HAND_OFF must be in-process or kafka, not " + value);
        }
    }

    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        Path dataDir = Path.of(env("SWITCHBOARD_DATA_DIR", ".local/data")).toAbsolutePath();
        int kafkaPort = Integer.parseInt(env("SWITCHBOARD_KAFKA_PORT", "19092"));
        int redisPort = Integer.parseInt(env("SWITCHBOARD_REDIS_PORT", "16379"));
        List<Integer> gatewayPorts = Arrays.stream(
                        env("SWITCHBOARD_GATEWAY_PORTS", "8081,8082").split(","))
                .map(String::trim)
                .map(Integer::parseInt)
                .toList();
        Suite.ServicePorts ports = new Suite.ServicePorts(
                Integer.parseInt(env("SWITCHBOARD_PRESENCE_PORT", "8090")),
                Integer.parseInt(env("SWITCHBOARD_ROUTING_PORT", "8091")),
                Integer.parseInt(env("SWITCHBOARD_OFFLINE_PORT", "8092")));

        // A small deployment runs this same JVM against its own Kafka and Redis: set either address and
        // that part is not started here.
        String externalKafka = env("SWITCHBOARD_KAFKA_BOOTSTRAP_SERVERS", "");
        String externalRedis = env("SWITCHBOARD_REDIS_URI", "");
        // Development extras (a token endpoint for anyone, the console) only by default where nothing
        // external is used: a small deployment must not hand out tokens because one line was forgotten.
        boolean external = !externalKafka.isEmpty() || !externalRedis.isEmpty();
        boolean localMode = Boolean.parseBoolean(env("SWITCHBOARD_LOCAL_MODE", Boolean.toString(!external)));

        // One hook stops whatever has started, registered before anything starts: a SIGTERM during
        // start-up, or a start that fails, must not leave redis-server (a separate process) running.
        AtomicReference<RedisServer> ownRedis = new AtomicReference<>();
        AtomicReference<KafkaServer> ownKafka = new AtomicReference<>();
        AtomicReference<Suite> running = new AtomicReference<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                Suite up = running.get();
                                if (up != null) {
                                    System.out.println("stopping Switchboard...");
                                    up.close();
                                }
                            } finally {
                                // Even if a service fails to stop with an Error.
                                closeQuietly(ownKafka.get());
                                closeQuietly(ownRedis.get());
                                stopped.countDown();
                            }
                        },
                        "switchboard-shutdown"));

        RedisServer redis = null;
        String redisUri = externalRedis;
        if (externalRedis.isEmpty()) {
            redis = RedisServer.start(RedisServer.Options.defaults()
                    .port(redisPort)
                    .dataDir(dataDir.resolve("redis"))
                    .appendOnly(true)
                    // Stopped by our own hook, after the services that use it, not concurrently with them.
                    .stopWithJvm(false));
            ownRedis.set(redis);
            redisUri = redis.uri();
            System.out.printf(
                    "redis     redis://127.0.0.1:%d  (%s, AOF in %s)%n",
                    redisPort, redis.binaryDescription(), dataDir.resolve("redis"));
        } else {
            // The URI may carry a password: not printed.
            System.out.println("redis     SWITCHBOARD_REDIS_URI (not started here)");
        }
        KafkaServer kafka = null;
        String bootstrapServers = externalKafka;
        if (externalKafka.isEmpty()) {
            kafka = KafkaServer.start(
                    KafkaServer.Options.defaults().port(kafkaPort).dataDir(dataDir.resolve("kafka")));
            ownKafka.set(kafka);
            bootstrapServers = kafka.bootstrapServers();
            System.out.printf("kafka     %s  (KRaft, data in %s)%n", bootstrapServers, dataDir.resolve("kafka"));
        } else {
            System.out.printf("kafka     %s  (not started here)%n", externalKafka);
        }

        Suite.SequencedHandOff handOff = handOff();
        Suite suite;
        try {
            suite = Suite.start(new Suite.Options(
                    bootstrapServers,
                    redisUri,
                    ports,
                    gatewayPorts,
                    Map.of("switchboard.local-mode", Boolean.toString(localMode)),
                    handOff));
        } catch (Throwable e) {
            // Kafka's threads would keep this JVM alive: stop what started, then fail.
            closeQuietly(kafka);
            closeQuietly(redis);
            throw e;
        }
        running.set(suite);

        System.out.printf(
                "presence  http://127.0.0.1:%d/api/v1/presence/{user}  (service credential, as for the http api)%n",
                suite.port("presence"));
        System.out.printf(
                "routing   http://127.0.0.1:%d/actuator/health  (offline hands it messages %s)%n",
                suite.port("routing"), handOff == Suite.SequencedHandOff.IN_PROCESS ? "in process" : "through Kafka");
        System.out.printf("offline   http://127.0.0.1:%d/actuator/health%n", suite.port("offline"));
        for (int i = 0; i < suite.gatewayPorts().size(); i++) {
            System.out.printf("gateway   %s  (node gw-%d)%n", suite.gatewayWebSocket(i), i + 1);
        }
        System.out.printf(
                "http api  http://127.0.0.1:%d/api/v1/messages, /groups, /broadcast  (contract: /openapi/gateway.yaml)%n",
                suite.gatewayPorts().get(0));
        if (localMode) {
            for (int port : suite.gatewayPorts()) {
                System.out.printf("console   http://127.0.0.1:%d/console/  (sign in as anyone)%n", port);
            }
            String secret = JwtSecret.resolve(System.getenv().getOrDefault("SWITCHBOARD_JWT_SECRET", ""), true);
            if (secret.equals(JwtSecret.LOCAL_DEVELOPMENT)) {
                System.out.println("development tokens (valid 12 hours):");
                for (String user : List.of("alice", "bob")) {
                    System.out.printf("  %-5s %s%n", user, token(secret, user, false));
                }
                System.out.printf(
                        "  service token for the HTTP APIs (Authorization: Bearer …):%n    %s%n",
                        token(secret, "backend", true));
            } else {
                // Signed with a real secret, they would be real credentials in whatever keeps this output.
                System.out.println(
                        "development tokens: POST /dev/token (signed with SWITCHBOARD_JWT_SECRET; none printed)");
            }
        }
        System.out.printf("Switchboard is ready in %.1f s. Ctrl-C stops it.%n", (System.nanoTime() - started) / 1e9);
        stopped.await();
    }

    private static void closeQuietly(AutoCloseable resource) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception e) {
            System.err.println("stopping " + resource + " failed: " + e);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static String token(String secret, String user, boolean service) throws JOSEException {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(user)
                .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(12))));
        if (service) {
            claims.claim(TokenVerifier.ROLE_CLAIM, TokenVerifier.SERVICE_ROLE);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        jwt.sign(new MACSigner(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return jwt.serialize();
    }
}
