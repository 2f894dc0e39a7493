package io.switchboard.offline.config;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.kafka.KafkaReceiver;
import io.switchboard.kafka.KafkaSender;
import io.switchboard.kafka.KafkaTopics;
import io.switchboard.offline.sequencing.SequencingPipeline;
import io.switchboard.offline.store.MessageStore;
import io.switchboard.offline.store.RedisMessageStore;
import io.switchboard.protocol.envelope.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class OfflineConfiguration {

    static final String CONSUMER_GROUP = "offline-service";

    @Bean(destroyMethod = "shutdown")
    RedisClient redisClient(OfflineProperties properties) {
        return RedisClient.create(properties.redis().uri());
    }

    @Bean(destroyMethod = "close")
    StatefulRedisConnection<String, String> redisConnection(RedisClient client) {
        return client.connect();
    }

    @Bean
    MessageStore messageStore(StatefulRedisConnection<String, String> connection, OfflineProperties properties) {
        return new RedisMessageStore(
                connection.reactive(),
                properties.offline().retention(),
                properties.offline().maxMessagesPerUser());
    }

    @Bean(destroyMethod = "close")
    KafkaSender<String, byte[]> sequencedSender(OfflineProperties properties) {
        Map<String, Object> config = properties.kafka().clientConfig();
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new KafkaSender<>(config, "offline-sequenced");
    }

    @Bean
    SequencingPipeline sequencingPipeline(
            MessageStore store, KafkaSender<String, byte[]> sender, MeterRegistry meters) {
        return new SequencingPipeline(store, sender, meters);
    }

    @Bean(destroyMethod = "close")
    KafkaReceiver<String, byte[]> inboundReceiver(OfflineProperties properties, SequencingPipeline pipeline) {
        KafkaTopics.ensure(properties.kafka(), List.of(Topics.INBOUND, Topics.SEQUENCED), Duration.ofSeconds(30));
        Map<String, Object> config = properties.kafka().clientConfig();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, CONSUMER_GROUP);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaReceiver<String, byte[]> receiver =
                KafkaReceiver.subscribe(config, "offline-inbound", List.of(Topics.INBOUND));
        receiver.start(pipeline::handle);
        return receiver;
    }
}
