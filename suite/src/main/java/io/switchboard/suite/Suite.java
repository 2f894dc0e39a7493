package io.switchboard.suite;

import io.switchboard.gateway.GatewayServiceApplication;
import io.switchboard.gateway.session.CloseCodes;
import io.switchboard.gateway.session.SessionRegistry;
import io.switchboard.offline.OfflineServiceApplication;
import io.switchboard.offline.sequencing.SequencedOutput;
import io.switchboard.presenceservice.PresenceServiceApplication;
import io.switchboard.redis.RedisConnection;
import io.switchboard.routing.RoutingServiceApplication;
import io.switchboard.routing.forwarding.RoutingPipeline;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * The four services, with any number of gateway nodes, started in this JVM as separate Spring
 * applications against a given Kafka and Redis. They share nothing but the JVM: each has its own
 * context, port, clients and meters, and they talk only through Kafka and Redis, exactly as separate
 * processes do. Used by the local suite and by end-to-end tests.
 */
public final class Suite implements AutoCloseable {

    /**
     * @param kafkaBootstrapServers the Kafka to use
     * @param redisUri the Redis to use
     * @param ports presence, routing, offline ports (0 picks a free one)
     * @param gatewayPorts one entry per gateway node (0 picks a free one); node ids are gw-1, gw-2, …
     * @param properties extra properties for every service (lowest precedence: the environment wins)
     * @param handOff how offline-service hands stored messages to routing-service
     */
    public record Options(
            String kafkaBootstrapServers,
            String redisUri,
            ServicePorts ports,
            List<Integer> gatewayPorts,
            Map<String, String> properties,
            SequencedHandOff handOff) {

        /** With routing called in process ({@link SequencedHandOff#IN_PROCESS}). */
        public Options(
                String kafkaBootstrapServers,
                String redisUri,
                ServicePorts ports,
                List<Integer> gatewayPorts,
                Map<String, String> properties) {
            this(kafkaBootstrapServers, redisUri, ports, gatewayPorts, properties, SequencedHandOff.IN_PROCESS);
        }
    }

    /**
     * How offline-service hands a stored batch to routing-service. Separate deployments always use
     * the {@code switchboard.sequenced} topic; in one JVM the hop can be a call instead, with the same
     * guarantee (the inbound batch is committed only after routing's forwards are acknowledged, and a
     * redelivered batch keeps its seqs), one Kafka produce and fetch fewer per batch, and a hop less of
     * latency. Nothing is written to the sequenced topic then.
     */
    public enum SequencedHandOff {
        /** Through the {@code switchboard.sequenced} topic, as between separate processes. */
        KAFKA,
        /** offline-service calls routing-service's pipeline in this JVM. */
        IN_PROCESS
    }

    /** Ports of the single-instance services. */
    public record ServicePorts(int presence, int routing, int offline) {}

    private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
    private final Map<String, Integer> portsByName = new HashMap<>();
    private final List<Integer> gatewayPorts = new ArrayList<>();
    private final List<ConfigurableApplicationContext> gateways = new ArrayList<>();

    private Suite() {}

    /** Starts every service; on failure, stops what was started and rethrows. */
    public static Suite start(Options options) {
        Suite suite = new Suite();
        try {
            // routing before offline-service when offline hands its batches to routing in process;
            // offline-service otherwise first: it creates the shared topics the others read.
            if (options.handOff() == SequencedHandOff.IN_PROCESS) {
                RoutingPipeline routing = suite.runRouting(options).getBean(RoutingPipeline.class);
                suite.runOffline(
                        options,
                        records -> routing.handle(records.stream()
                                .map(r -> new ConsumerRecord<>(r.topic(), 0, 0L, r.key(), r.value()))
                                .toList()));
            } else {
                suite.runOffline(options, null);
                suite.runRouting(options);
            }
            suite.run(
                    "presence",
                    PresenceServiceApplication.builder(),
                    options,
                    options.ports().presence(),
                    Map.of());
            for (int i = 0; i < options.gatewayPorts().size(); i++) {
                String node = "gw-" + (i + 1);
                int port = suite.run(
                        node,
                        GatewayServiceApplication.builder(),
                        options,
                        options.gatewayPorts().get(i),
                        Map.of("switchboard.gateway.node-id", node));
                suite.gatewayPorts.add(port);
                suite.gateways.add(suite.lastStarted());
            }
            return suite;
        } catch (RuntimeException e) {
            suite.close();
            throw e;
        }
    }

    private ConfigurableApplicationContext runRouting(Options options) {
        run(
                "routing",
                RoutingServiceApplication.builder(),
                options,
                options.ports().routing(),
                Map.of());
        return lastStarted();
    }

    /** @param output where offline-service hands stored batches; null: its Kafka topic, as deployed */
    private void runOffline(Options options, SequencedOutput output) {
        SpringApplicationBuilder builder = OfflineServiceApplication.builder();
        if (output != null) {
            builder.initializers(
                    context -> ((GenericApplicationContext) context).registerBean(SequencedOutput.class, () -> output));
        }
        run("offline", builder, options, options.ports().offline(), Map.of());
    }

    private ConfigurableApplicationContext lastStarted() {
        return contexts.get(contexts.size() - 1);
    }

    private static final String LOGBACK_METRICS =
            "org.springframework.boot.micrometer.metrics.autoconfigure.logging.logback.LogbackMetricsAutoConfiguration";

    private int run(String name, SpringApplicationBuilder builder, Options options, int port, Map<String, String> own) {
        // What the suite decides goes in as command-line arguments, above the services' own files
        // and the environment; the caller's extra properties are defaults the environment may override.
        List<String> args = new ArrayList<>();
        args.add("--server.port=" + port);
        args.add("--switchboard.kafka.bootstrap-servers=" + options.kafkaBootstrapServers());
        args.add("--switchboard.redis.uri=" + options.redisUri());
        own.forEach((key, value) -> args.add("--" + key + "=" + value));
        // The applications share one logging context: each one's logback.events would count every
        // service's log events (and each counter would sit in the path of every log call).
        args.add("--spring.autoconfigure.exclude=" + LOGBACK_METRICS);
        // One JVM, several applications: the suite closes them in order instead of a hook per context.
        ConfigurableApplicationContext context = builder.properties(new HashMap<String, Object>(options.properties()))
                .initializers(Suite::ownNettyResources)
                .registerShutdownHook(false)
                .run(args.toArray(String[]::new));
        contexts.add(context);
        int actual =
                ((ReactiveWebServerApplicationContext) context).getWebServer().getPort();
        portsByName.put(name, actual);
        return actual;
    }

    /**
     * Gives the application its own Reactor Netty event loops. By default every application in a JVM
     * shares Reactor Netty's global resources, and the first one to stop disposes them under the
     * others: one gateway node stopping would cut the other node's connections.
     */
    private static void ownNettyResources(ConfigurableApplicationContext context) {
        ((GenericApplicationContext) context).registerBean(ReactorResourceFactory.class, () -> {
            ReactorResourceFactory resources = new ReactorResourceFactory();
            resources.setUseGlobalResources(false);
            // Netty's default 2 s quiet period per application would add up to 10 s at every stop.
            resources.setShutdownQuietPeriod(Duration.ofMillis(100));
            return resources;
        });
    }

    /** The HTTP port of a service: "presence", "routing", "offline", "gw-1", "gw-2", … */
    public int port(String name) {
        Integer port = portsByName.get(name);
        if (port == null) {
            throw new IllegalArgumentException("no service " + name);
        }
        return port;
    }

    /** The WebSocket endpoint of gateway node {@code index} (0-based). */
    public URI gatewayWebSocket(int index) {
        return URI.create("ws://127.0.0.1:" + gatewayPorts.get(index) + "/ws");
    }

    public List<Integer> gatewayPorts() {
        return Collections.unmodifiableList(gatewayPorts);
    }

    /**
     * Stops gateway node {@code index} (0-based) as SIGTERM would: the node drains (its sessions are
     * closed with 1012, spread over {@code switchboard.drain.spread}) and stops; returns when it has.
     */
    public void stopGateway(int index) {
        ConfigurableApplicationContext gateway = gateways.get(index);
        gateway.close();
        contexts.remove(gateway);
    }

    /**
     * Kills gateway node {@code index} (0-based) as far as presence can tell, as {@code kill -9}
     * would: its Redis connection is cut first, so the node renews no lease, refreshes and removes
     * no session from then on, and leaves everything it registered behind; then the node stops.
     * Its clients are disconnected.
     */
    public void crashGateway(int index) {
        ConfigurableApplicationContext gateway = gateways.get(index);
        gateway.getBean(RedisConnection.class).close();
        // Dropped at once, not drained one by one over the drain spread as a stopping node does.
        gateway.getBean(SessionRegistry.class).all().forEach(s -> s.close(CloseCodes.GOING_AWAY));
        gateway.close();
        contexts.remove(gateway);
    }

    /** Stops the services, newest first: gateways, then presence, routing and offline. */
    @Override
    public void close() {
        List<ConfigurableApplicationContext> reversed = new ArrayList<>(contexts);
        Collections.reverse(reversed);
        for (ConfigurableApplicationContext context : reversed) {
            try {
                context.close();
            } catch (RuntimeException e) {
                System.err.println("error while stopping a service: " + e);
            }
        }
        contexts.clear();
    }
}
