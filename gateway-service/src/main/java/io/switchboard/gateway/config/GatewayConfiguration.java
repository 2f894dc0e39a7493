package io.switchboard.gateway.config;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.auth.JwtSecret;
import io.switchboard.auth.TokenVerifier;
import io.switchboard.gateway.auth.HandshakeAuthenticator;
import io.switchboard.gateway.delivery.GatewayMeters;
import io.switchboard.gateway.delivery.NodeDelivery;
import io.switchboard.gateway.delivery.NodeTopicKeeper;
import io.switchboard.gateway.groups.GroupStore;
import io.switchboard.gateway.inbound.FanOut;
import io.switchboard.gateway.inbound.MessageAcceptor;
import io.switchboard.gateway.presence.GatewayPresenceProperties;
import io.switchboard.gateway.presence.PresenceWatchers;
import io.switchboard.gateway.session.ClientSession;
import io.switchboard.gateway.session.DrainProperties;
import io.switchboard.gateway.session.HeartbeatMonitor;
import io.switchboard.gateway.session.SessionDrain;
import io.switchboard.gateway.session.SessionFeeds;
import io.switchboard.gateway.session.SessionRegistry;
import io.switchboard.gateway.websocket.GatewayWebSocketHandler;
import io.switchboard.gateway.websocket.WebSocketRoute;
import io.switchboard.inbox.DeviceCursors;
import io.switchboard.inbox.RedisDeviceCursors;
import io.switchboard.inbox.RedisMessageStore;
import io.switchboard.inbox.RedisSendLedger;
import io.switchboard.inbox.SendLedger;
import io.switchboard.kafka.KafkaMeters;
import io.switchboard.kafka.KafkaReceiver;
import io.switchboard.kafka.KafkaSender;
import io.switchboard.kafka.KafkaTopics;
import io.switchboard.kafka.health.KafkaHealthConfiguration;
import io.switchboard.presence.PresenceStore;
import io.switchboard.presence.RedisPresenceStore;
import io.switchboard.protocol.envelope.ConsumerGroups;
import io.switchboard.protocol.envelope.Topics;
import io.switchboard.redis.RedisConnection;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.micrometer.metrics.autoconfigure.MeterRegistryCustomizer;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

@Configuration(proxyBeanMethods = false)
// "kafka" in /actuator/health: the yml puts it in liveness, so a dead Kafka thread restarts the process
@Import(KafkaHealthConfiguration.class)
class GatewayConfiguration {

    private static final Logger log = LoggerFactory.getLogger(GatewayConfiguration.class);
    /**
     * How often a node shows the reaper it is alive, and looks for its topic: well within the reaper's
     * retention (1 h), and short, since a node whose topic was deleted logs a warning per fetch.
     */
    private static final Duration NODE_TOPIC_CHECK_INTERVAL = Duration.ofMinutes(1);

    @Bean
    NodeId nodeId(GatewayProperties properties, @Value("${server.port:8081}") int port) {
        String configured = properties.gateway().nodeId();
        String id = configured != null && !configured.isBlank() ? configured : defaultNodeId(port);
        if (!Topics.isValidNodeId(id)) {
            throw new IllegalStateException("switchboard.gateway.node-id '" + id + "' may only use [A-Za-z0-9._-]");
        }
        log.info("gateway node id: {}", id);
        return new NodeId(id);
    }

    private static String defaultNodeId(int port) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "gateway";
        }
        return host.replaceAll("[^A-Za-z0-9._-]", "-") + "-" + port;
    }

    /** Every meter of this node carries its node id, so a fleet's metrics can be told apart. */
    @Bean
    MeterRegistryCustomizer<MeterRegistry> nodeTag(NodeId nodeId) {
        return registry -> registry.config().commonTags("node", nodeId.value());
    }

    @Bean
    TokenVerifier tokenVerifier(GatewayProperties properties) {
        String secret = JwtSecret.resolve(properties.jwt().secret(), properties.localMode());
        if (JwtSecret.LOCAL_DEVELOPMENT.equals(secret)) {
            log.warn("local mode: using the built-in development JWT secret; never do this in production");
        }
        return new TokenVerifier(secret, properties.jwt().clockSkew());
    }

    @Bean
    HandshakeAuthenticator handshakeAuthenticator(
            TokenVerifier verifier,
            GatewayProperties properties,
            MeterRegistry meters,
            SessionDrain drain,
            SessionRegistry sessions) {
        if (properties.gateway().allowedOrigins().isEmpty() && !properties.localMode()) {
            log.warn("switchboard.gateway.allowed-origins is empty: browsers on any web site may open sessions"
                    + " (with a valid token); set SWITCHBOARD_GATEWAY_ALLOWED_ORIGINS to your consoles' origins");
        }
        return new HandshakeAuthenticator(
                verifier,
                properties.gateway().allowedOrigins(),
                meters,
                drain::isDraining,
                user -> sessions.sessionsOf(user).size(),
                properties.gateway().maxSessionsPerUser());
    }

    @Bean(destroyMethod = "close")
    RedisConnection redis(GatewayProperties properties, MeterRegistry meters) {
        return RedisConnection.connect(properties.redis(), meters);
    }

    @Bean
    PresenceStore presenceStore(RedisConnection redis) {
        return new RedisPresenceStore(redis.reactive());
    }

    @Bean
    SessionFeeds sessionFeeds(RedisConnection redis, GatewayProperties properties, MeterRegistry meters) {
        return new SessionFeeds(
                RedisMessageStore.reader(redis.reactive()),
                properties.delivery().replayPage(),
                properties.delivery().slowConsumerTimeout(),
                meters);
    }

    @Bean
    DeviceCursors deviceCursors(RedisConnection redis, GatewayProperties properties) {
        return new RedisDeviceCursors(redis.reactive(), properties.delivery().cursorTtl());
    }

    @Bean
    SendLedger sendLedger(RedisConnection redis, GatewayProperties properties) {
        return new RedisSendLedger(redis.reactive(), properties.delivery().sendDedupWindow());
    }

    @Bean
    SessionRegistry sessionRegistry(MeterRegistry meters) {
        SessionRegistry registry = new SessionRegistry();
        Gauge.builder(GatewayMeters.SESSIONS_OPEN.meterName(), registry, SessionRegistry::size)
                .description("open WebSocket sessions on this node")
                .register(meters);
        // Read at scrape time, one pass over the sessions each (a scrape every few seconds at most).
        Gauge.builder(
                        GatewayMeters.OUTBOUND_QUEUED.meterName(),
                        registry,
                        r -> r.all().stream().mapToLong(ClientSession::queued).sum())
                .description("frames waiting in the outbound queues of all sessions on this node")
                .register(meters);
        Gauge.builder(
                        GatewayMeters.OUTBOUND_QUEUED_MAX.meterName(),
                        registry,
                        r -> r.all().stream()
                                .mapToLong(ClientSession::queued)
                                .max()
                                .orElse(0))
                .description("the fullest outbound queue of a session on this node")
                .register(meters);
        return registry;
    }

    @Bean
    HeartbeatMonitor heartbeatMonitor(
            SessionRegistry registry,
            PresenceStore presence,
            NodeId nodeId,
            GatewayProperties properties,
            GatewayPresenceProperties presenceProperties) {
        return new HeartbeatMonitor(
                registry,
                presence,
                nodeId.value(),
                properties.heartbeat().interval(),
                properties.heartbeat().timeout(),
                presenceProperties.nodeLease());
    }

    @Bean
    SessionDrain sessionDrain(
            SessionRegistry registry,
            DrainProperties properties,
            ApplicationEventPublisher events,
            MeterRegistry meters) {
        return new SessionDrain(registry, properties, events, meters);
    }

    @Bean(destroyMethod = "close")
    KafkaSender<String, byte[]> inboundSender(GatewayProperties properties, MeterRegistry meters) {
        KafkaTopics.ensure(properties.kafka(), List.of(Topics.INBOUND), Duration.ofSeconds(30));
        Map<String, Object> config = properties.kafka().producerConfig();
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 1);
        KafkaSender<String, byte[]> sender = new KafkaSender<>(config, "gateway-inbound");
        KafkaMeters.bind(sender, meters);
        return sender;
    }

    @Bean
    MessageAcceptor messageAcceptor(
            KafkaSender<String, byte[]> sender,
            SendLedger ledger,
            GroupStore groups,
            FanOut fanOut,
            MeterRegistry meters) {
        return new MessageAcceptor(sender, ledger, groups, fanOut, meters);
    }

    @Bean
    NodeDelivery nodeDelivery(SessionRegistry registry, MeterRegistry meters) {
        return new NodeDelivery(registry, meters);
    }

    /** This node's topic reader; ready before the web server opens, so no session misses a delivery. */
    @Bean(destroyMethod = "close")
    KafkaReceiver<String, byte[]> nodeReceiver(
            GatewayProperties properties, NodeId nodeId, NodeDelivery delivery, MeterRegistry meters) {
        String topic = Topics.node(nodeId.value());
        KafkaTopics.ensure(properties.kafka(), List.of(topic), Duration.ofSeconds(30));
        Map<String, Object> config =
                properties.kafka().consumerConfig(ConsumerGroups.gatewayNode(nodeId.value()), "latest");
        KafkaReceiver<String, byte[]> receiver = KafkaReceiver.assignAll(config, "gateway-node", topic);
        KafkaMeters.bind(receiver, meters);
        receiver.start(delivery::handle);
        receiver.ready().block(Duration.ofSeconds(30));
        return receiver;
    }

    /** Shows presence-service's reaper that this node is alive, and creates its topic again if it is deleted. */
    @Bean
    NodeTopicKeeper nodeTopicKeeper(GatewayProperties properties, NodeId nodeId, MeterRegistry meters) {
        return new NodeTopicKeeper(properties.kafka(), nodeId.value(), NODE_TOPIC_CHECK_INTERVAL, meters);
    }

    @Bean
    GatewayWebSocketHandler gatewayWebSocketHandler(
            NodeId nodeId,
            SessionRegistry registry,
            PresenceStore presence,
            HeartbeatMonitor heartbeat,
            MessageAcceptor acceptor,
            SessionFeeds feeds,
            DeviceCursors cursors,
            PresenceWatchers watchers,
            MeterRegistry meters,
            GatewayProperties properties,
            KafkaReceiver<String, byte[]> nodeReceiver) {
        GatewayProperties.Gateway g = properties.gateway();
        return new GatewayWebSocketHandler(
                nodeId.value(),
                registry,
                presence,
                heartbeat,
                acceptor,
                feeds,
                cursors,
                watchers,
                meters,
                g.maxFrameBytes(),
                g.outboundQueue(),
                g.maxInflightSends(),
                g.presenceTimeout());
    }

    /** {@code /ws}, served by Reactor Netty ahead of WebFlux (see {@link WebSocketRoute}). */
    @Bean
    WebSocketRoute webSocketRoute(HandshakeAuthenticator authenticator, GatewayWebSocketHandler handler) {
        return new WebSocketRoute(authenticator, handler);
    }

    /** This gateway node's unique id. */
    record NodeId(String value) {}
}
