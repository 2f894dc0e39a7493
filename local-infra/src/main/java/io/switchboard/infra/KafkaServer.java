package io.switchboard.infra;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, single-node Kafka broker (KRaft: broker and controller in one node) running in this JVM
 * from Apache Kafka's own server jars. Listens on 127.0.0.1 only. With a data directory it keeps its
 * topics and offsets across restarts; without one it uses a temporary directory deleted on close.
 *
 * <p>Topics are not created automatically ({@code auto.create.topics.enable=false}), as in the
 * deployments we ship: every service creates the topics it needs.
 */
public final class KafkaServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaServer.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    /**
     * @param port the client port; 0 picks a free one
     * @param controllerPort the KRaft controller port; 0 picks a free one
     * @param dataDir where the log lives; {@code null} for a temporary directory
     * @param brokerProperties extra broker properties, applied last
     */
    public record Options(int port, int controllerPort, Path dataDir, Map<String, String> brokerProperties) {

        public Options {
            brokerProperties = brokerProperties == null ? Map.of() : Map.copyOf(brokerProperties);
        }

        public static Options defaults() {
            return new Options(0, 0, null, Map.of());
        }

        public Options port(int port) {
            return new Options(port, controllerPort, dataDir, brokerProperties);
        }

        public Options controllerPort(int controllerPort) {
            return new Options(port, controllerPort, dataDir, brokerProperties);
        }

        public Options dataDir(Path dataDir) {
            return new Options(port, controllerPort, dataDir, brokerProperties);
        }

        public Options brokerProperties(Map<String, String> brokerProperties) {
            return new Options(port, controllerPort, dataDir, brokerProperties);
        }
    }

    private final KafkaRaftServer server;
    private final DataDirectory data;
    private final String bootstrapServers;
    private final AtomicBoolean closed = new AtomicBoolean();

    private KafkaServer(KafkaRaftServer server, DataDirectory data, String bootstrapServers) {
        this.server = server;
        this.data = data;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Starts the broker and returns once it answers an Admin {@code describeCluster}: topics can be
     * created at once.
     *
     * @throws IllegalStateException if it cannot start or does not answer within 60 s; nothing is
     *     left running then
     */
    public static KafkaServer start(Options options) {
        long started = System.nanoTime();
        DataDirectory data = DataDirectory.of(options.dataDir(), "switchboard-kafka-");
        int port = FreePorts.resolve(options.port());
        int controllerPort = FreePorts.resolve(options.controllerPort());
        while (controllerPort == port && options.controllerPort() == 0) {
            controllerPort = FreePorts.resolve(0); // two probes may be handed the same port
        }
        String logDir = data.path().resolve("log").toString();
        Map<String, Object> props = brokerConfig(port, controllerPort, logDir);
        props.putAll(options.brokerProperties());
        KafkaRaftServer server = null;
        try {
            format(data.path().resolve("log"), logDir);
            server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
            server.startup();
            String bootstrap = "127.0.0.1:" + port;
            awaitReady(bootstrap);
            log.info(
                    "Kafka (KRaft) ready at {} in {} ms",
                    bootstrap,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            return new KafkaServer(server, data, bootstrap);
        } catch (Exception e) {
            if (server != null) {
                server.shutdown();
                server.awaitShutdown();
            }
            data.release();
            String reason = e instanceof TimeoutException
                    ? "it did not answer describeCluster within " + READY_TIMEOUT
                    : String.valueOf(e.getMessage());
            throw new IllegalStateException("Kafka did not start on 127.0.0.1:" + port + ": " + reason, e);
        }
    }

    private static Map<String, Object> brokerConfig(int port, int controllerPort, String logDir) {
        Map<String, Object> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir);
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "4");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("min.insync.replicas", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // Small footprint: this broker shares a laptop (or a 2-core CI box) with the whole suite.
        p.put("log.cleaner.dedupe.buffer.size", "2097152");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("log.segment.bytes", "67108864");
        return p;
    }

    /** Formats the storage once; a directory formatted by an earlier run keeps its data. */
    private static void format(Path dir, String logDir) throws Exception {
        if (Files.exists(dir.resolve("meta.properties"))) {
            return;
        }
        Files.createDirectories(dir);
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(1)
                .setClusterId(Uuid.randomUuid().toString())
                .setDirectories(List.of(logDir))
                .setMetadataLogDirectory(logDir)
                .setControllerListenerName("CONTROLLER")
                .setReleaseVersion(MetadataVersion.latestProduction())
                .run();
    }

    private static void awaitReady(String bootstrap) throws Exception {
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                (int) READY_TIMEOUT.toMillis());
        try (Admin admin = Admin.create(config)) {
            // startup() returns once the broker is unfenced, so one answer listing it means ready
            if (admin.describeCluster()
                    .nodes()
                    .get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .isEmpty()) {
                throw new IllegalStateException("the broker answers but lists no live broker");
            }
        }
    }

    /** {@code 127.0.0.1:port}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The directory holding the broker's log and metadata (deleted on close if temporary). */
    public Path dataDir() {
        return data.path();
    }

    /**
     * Stops the broker and waits until it has; deletes a temporary data directory. Idempotent, so a
     * shutdown hook and an explicit close may both call it.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.shutdown();
        server.awaitShutdown();
        data.release();
    }
}
