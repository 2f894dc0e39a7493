package io.switchboard.gateway.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.gateway.presence.GatewayPresenceProperties;
import io.switchboard.gateway.presence.PresenceWatchPolicy;
import io.switchboard.gateway.presence.PresenceWatchers;
import io.switchboard.kafka.KafkaMeters;
import io.switchboard.kafka.KafkaReceiver;
import io.switchboard.kafka.KafkaTopics;
import io.switchboard.presence.PresenceStore;
import io.switchboard.protocol.envelope.ConsumerGroups;
import io.switchboard.protocol.envelope.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Presence subscriptions on a gateway node: who may watch whom, and the presence topic reader. */
@Configuration(proxyBeanMethods = false)
class GatewayPresenceConfiguration {

    @Bean
    @ConditionalOnMissingBean
    PresenceWatchPolicy presenceWatchPolicy() {
        return PresenceWatchPolicy.ANYONE;
    }

    @Bean
    PresenceWatchers presenceWatchers(
            PresenceStore store,
            PresenceWatchPolicy policy,
            GatewayPresenceProperties properties,
            MeterRegistry meters) {
        return new PresenceWatchers(store, policy, properties.maxSubscriptions(), meters);
    }

    /**
     * Every change event, on every node (all partitions, this node's own offsets), from the latest:
     * a subscription's first frame comes from Redis, so older events are not needed. Ready before
     * the web server opens.
     */
    @Bean(destroyMethod = "close")
    KafkaReceiver<String, byte[]> presenceReceiver(
            GatewayProperties properties,
            GatewayConfiguration.NodeId nodeId,
            PresenceWatchers watchers,
            MeterRegistry meters) {
        KafkaTopics.ensure(properties.kafka(), List.of(Topics.PRESENCE), Duration.ofSeconds(30));
        Map<String, Object> config =
                properties.kafka().consumerConfig(ConsumerGroups.gatewayPresence(nodeId.value()), "latest");
        KafkaReceiver<String, byte[]> receiver = KafkaReceiver.assignAll(config, "gateway-presence", Topics.PRESENCE);
        KafkaMeters.bind(receiver, meters);
        receiver.start(watchers::handle);
        receiver.ready().block(Duration.ofSeconds(30));
        return receiver;
    }
}
