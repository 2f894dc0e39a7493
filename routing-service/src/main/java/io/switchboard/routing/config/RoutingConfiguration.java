package io.switchboard.routing.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.kafka.KafkaMeters;
import io.switchboard.kafka.KafkaReceiver;
import io.switchboard.kafka.KafkaSender;
import io.switchboard.kafka.KafkaTopics;
import io.switchboard.kafka.health.KafkaHealthConfiguration;
import io.switchboard.presence.PresenceStore;
import io.switchboard.presence.RedisPresenceStore;
import io.switchboard.protocol.envelope.Topics;
import io.switchboard.redis.RedisConnection;
import io.switchboard.routing.forwarding.NodeTopicDirectory;
import io.switchboard.routing.forwarding.RoutingPipeline;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

@Configuration(proxyBeanMethods = false)
// "kafka" in /actuator/health: the yml puts it in liveness, so a dead Kafka thread restarts the process
@Import(KafkaHealthConfiguration.class)
class RoutingConfiguration {

    static final String CONSUMER_GROUP = "routing-service";

    @Bean(destroyMethod = "close")
    RedisConnection redis(RoutingProperties properties, MeterRegistry meters) {
        return RedisConnection.connect(properties.redis(), meters);
    }

    @Bean
    PresenceStore presenceStore(RedisConnection redis) {
        return new RedisPresenceStore(redis.reactive());
    }

    @Bean(destroyMethod = "close")
    NodeTopicDirectory nodeTopicDirectory(RoutingProperties properties) {
        // At most five topic listings a second per instance, however many messages name a node without
        // a topic; such a message's batch waits at most 200 ms plus one listing for the answer.
        return new NodeTopicDirectory(Admin.create(properties.kafka().clientConfig()), Duration.ofMillis(200));
    }

    @Bean(destroyMethod = "close")
    KafkaSender<String, byte[]> nodeSender(RoutingProperties properties, MeterRegistry meters) {
        Map<String, Object> config = properties.kafka().producerConfig();
        // A node topic can vanish with its node: fail such a send soon rather than stall the pipeline.
        config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        // The pipeline hands over a whole batch at once and waits for it before polling again (one
        // batch in flight): nothing else could join it, so lingering would only add latency per hop.
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        KafkaSender<String, byte[]> sender = new KafkaSender<>(config, "routing-nodes");
        KafkaMeters.bind(sender, meters);
        return sender;
    }

    @Bean
    RoutingPipeline routingPipeline(
            PresenceStore presence,
            NodeTopicDirectory nodeTopics,
            KafkaSender<String, byte[]> sender,
            MeterRegistry meters) {
        return new RoutingPipeline(presence, nodeTopics, sender, meters);
    }

    @Bean(destroyMethod = "close")
    KafkaReceiver<String, byte[]> sequencedReceiver(
            RoutingProperties properties, RoutingPipeline pipeline, MeterRegistry meters) {
        KafkaTopics.ensure(properties.kafka(), List.of(Topics.SEQUENCED), Duration.ofSeconds(30));
        Map<String, Object> config = properties.kafka().consumerConfig(CONSUMER_GROUP, "earliest");
        KafkaReceiver<String, byte[]> receiver =
                KafkaReceiver.subscribe(config, "routing-sequenced", List.of(Topics.SEQUENCED));
        KafkaMeters.bind(receiver, meters);
        receiver.start(pipeline::handle);
        return receiver;
    }
}
