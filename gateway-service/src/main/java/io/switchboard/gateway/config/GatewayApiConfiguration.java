package io.switchboard.gateway.config;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import io.switchboard.auth.ApiRejections;
import io.switchboard.auth.ServiceAuthenticator;
import io.switchboard.auth.TokenVerifier;
import io.switchboard.gateway.api.ApiProperties;
import io.switchboard.gateway.api.JsonBodyFilter;
import io.switchboard.gateway.broadcast.BroadcastDelivery;
import io.switchboard.gateway.groups.GroupStore;
import io.switchboard.gateway.groups.RedisGroupStore;
import io.switchboard.gateway.inbound.FanOut;
import io.switchboard.gateway.publish.Publisher;
import io.switchboard.gateway.session.SessionRegistry;
import io.switchboard.inbox.SendLedger;
import io.switchboard.kafka.KafkaReceiver;
import io.switchboard.kafka.KafkaSender;
import io.switchboard.kafka.KafkaTopics;
import io.switchboard.protocol.envelope.ConsumerGroups;
import io.switchboard.protocol.envelope.Topics;
import io.switchboard.redis.RedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The HTTP API for backends on a gateway node: credentials, fan-out, groups, broadcast. Its contract
 * is generated from the controllers (springdoc) and served at {@code /openapi/gateway.yaml}; the
 * definition below is found as a bean, so springdoc never scans the class path while serving it.
 */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(
        info =
                @Info(
                        title = "Switchboard gateway HTTP API",
                        version = "v1",
                        description = "For backends: send messages to users, manage groups, broadcast announcements."
                                + " Every call needs a service credential: an API key or a JWT with"
                                + " \"role\":\"service\" (docs/http-api.md)."),
        security = @SecurityRequirement(name = "service"))
@SecurityScheme(
        name = "service",
        type = SecuritySchemeType.HTTP,
        scheme = "bearer",
        description = "an API key (switchboard.api.keys) or a JWT with \"role\":\"service\" signed with the"
                + " shared secret")
class GatewayApiConfiguration {

    @Bean
    ServiceAuthenticator serviceAuthenticator(ApiProperties properties, TokenVerifier verifier, MeterRegistry meters) {
        return new ServiceAuthenticator(properties.keys(), verifier, new ApiRejections(meters)::reject);
    }

    @Bean
    JsonBodyFilter jsonBodyFilter(MeterRegistry meters) {
        return new JsonBodyFilter(meters);
    }

    @Bean
    FanOut fanOut(KafkaSender<String, byte[]> sender, ApiProperties properties, MeterRegistry meters) {
        FanOut fanOut = new FanOut(
                sender,
                properties.chunk(),
                properties.chunksInFlight(),
                properties.maxInflightCopies(),
                properties.maxInflightBytes());
        Gauge.builder("switchboard.fanout.inflight", fanOut, FanOut::inflight)
                .description("message copies of publishes and group sends waiting for Kafka on this node")
                .register(meters);
        return fanOut;
    }

    @Bean
    GroupStore groupStore(RedisConnection redis, ApiProperties properties) {
        return new RedisGroupStore(redis.reactive(), properties.maxGroupMembers());
    }

    @Bean
    Publisher publisher(SendLedger ledger, FanOut fanOut, MeterRegistry meters) {
        return new Publisher(ledger, fanOut, meters);
    }

    @Bean
    BroadcastDelivery broadcastDelivery(SessionRegistry registry, MeterRegistry meters) {
        return new BroadcastDelivery(registry, meters);
    }

    /**
     * Every announcement, on every node (all partitions, this node's own offsets), from the latest:
     * a broadcast is for the sessions connected now. Ready before the web server opens.
     */
    @Bean(destroyMethod = "close")
    KafkaReceiver<String, byte[]> broadcastReceiver(
            GatewayProperties properties, GatewayConfiguration.NodeId nodeId, BroadcastDelivery delivery) {
        KafkaTopics.ensure(properties.kafka(), List.of(Topics.BROADCAST), Duration.ofSeconds(30));
        Map<String, Object> config =
                properties.kafka().consumerConfig(ConsumerGroups.gatewayBroadcast(nodeId.value()), "latest");
        KafkaReceiver<String, byte[]> receiver = KafkaReceiver.assignAll(config, "gateway-broadcast", Topics.BROADCAST);
        receiver.start(delivery::handle);
        receiver.ready().block(Duration.ofSeconds(30));
        return receiver;
    }
}
