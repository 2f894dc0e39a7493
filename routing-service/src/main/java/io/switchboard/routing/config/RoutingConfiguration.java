package io.switchboard.routing.config;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.kafka.KafkaReceiver;
import io.switchboard.kafka.KafkaSender;
import io.switchboard.kafka.KafkaTopics;
import io.switchboard.presence.PresenceStore;
import io.switchboard.presence.RedisPresenceStore;
import io.switchboard.protocol.envelope.Topics;
import io.switchboard.routing.forwarding.NodeTopicDirectory;
import io.switchboard.routing.forwarding.RoutingPipeline;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class RoutingConfiguration {

    static final String CONSUMER_GROUP = "routing-service";

    @Bean(destroyMethod = "shutdown")
    RedisClient redisClient(RoutingProperties properties) {
        return RedisClient.create(properties.redis().uri());
    }

    @Bean(destroyMethod = "close")
    StatefulRedisConnection<String, String> redisConnection(RedisClient client) {
        return client.connect();
    }

    @Bean
    PresenceStore presenceStore(StatefulRedisConnection<String, String> connection) {
        return new RedisPresenceStore(connection.reactive());
    }

    @Bean(destroyMethod = "close")
    NodeTopicDirectory nodeTopicDirectory(RoutingProperties properties) {
        return new NodeTopicDirectory(Admin.create(properties.kafka().clientConfig()), Duration.ofSeconds(1));
    }

    @Bean(destroyMethod = "close")
    KafkaSender<String, byte[]> nodeSender(RoutingProperties properties) {
        Map<String, Object> config = properties.kafka().clientConfig();
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        // A node topic can vanish with its node: fail such a send soon rather than stall the pipeline.
        config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        return new KafkaSender<>(config, "routing-nodes");
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
    KafkaReceiver<String, byte[]> sequencedReceiver(RoutingProperties properties, RoutingPipeline pipeline) {
        KafkaTopics.ensure(properties.kafka(), List.of(Topics.SEQUENCED), Duration.ofSeconds(30));
        Map<String, Object> config = properties.kafka().clientConfig();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, CONSUMER_GROUP);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaReceiver<String, byte[]> receiver =
                KafkaReceiver.subscribe(config, "routing-sequenced", List.of(Topics.SEQUENCED));
        receiver.start(pipeline::handle);
        return receiver;
    }
}
