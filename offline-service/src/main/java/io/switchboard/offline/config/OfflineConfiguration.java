package io.switchboard.offline.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.inbox.MessageStore;
import io.switchboard.inbox.RedisMessageStore;
import io.switchboard.kafka.KafkaMeters;
import io.switchboard.kafka.KafkaReceiver;
import io.switchboard.kafka.KafkaSender;
import io.switchboard.kafka.KafkaTopics;
import io.switchboard.kafka.health.KafkaHealthConfiguration;
import io.switchboard.offline.sequencing.SequencedOutput;
import io.switchboard.offline.sequencing.SequencingPipeline;
import io.switchboard.protocol.envelope.Topics;
import io.switchboard.redis.RedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

@Configuration(proxyBeanMethods = false)
// "kafka" in /actuator/health: the yml puts it in liveness, so a dead Kafka thread restarts the process
@Import(KafkaHealthConfiguration.class)
class OfflineConfiguration {

    static final String CONSUMER_GROUP = "offline-service";

    @Bean(destroyMethod = "close")
    RedisConnection redis(OfflineProperties properties, MeterRegistry meters) {
        return RedisConnection.connect(properties.redis(), meters);
    }

    @Bean
    MessageStore messageStore(RedisConnection redis, OfflineProperties properties) {
        return new RedisMessageStore(
                redis.reactive(),
                properties.offline().retention(),
                properties.offline().maxMessagesPerUser());
    }

    @Bean(destroyMethod = "close")
    KafkaSender<String, byte[]> sequencedSender(OfflineProperties properties, MeterRegistry meters) {
        Map<String, Object> config = properties.kafka().producerConfig();
        // The pipeline hands over a whole batch at once and waits for it before polling again (one
        // batch in flight): nothing else could join it, so lingering would only add latency per hop.
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        KafkaSender<String, byte[]> sender = new KafkaSender<>(config, "offline-sequenced");
        KafkaMeters.bind(sender, meters);
        return sender;
    }

    /** Unless routing runs in this JVM and was given as the output (the local suite does that). */
    @Bean
    @ConditionalOnMissingBean(SequencedOutput.class)
    SequencedOutput sequencedTopic(KafkaSender<String, byte[]> sender) {
        return records -> sender.sendAll(records).then();
    }

    @Bean
    SequencingPipeline sequencingPipeline(MessageStore store, SequencedOutput output, MeterRegistry meters) {
        return new SequencingPipeline(store, output, meters);
    }

    @Bean(destroyMethod = "close")
    KafkaReceiver<String, byte[]> inboundReceiver(
            OfflineProperties properties, SequencingPipeline pipeline, MeterRegistry meters) {
        KafkaTopics.ensure(properties.kafka(), List.of(Topics.INBOUND, Topics.SEQUENCED), Duration.ofSeconds(30));
        Map<String, Object> config = properties.kafka().consumerConfig(CONSUMER_GROUP, "earliest");
        KafkaReceiver<String, byte[]> receiver =
                KafkaReceiver.subscribe(config, "offline-inbound", List.of(Topics.INBOUND));
        KafkaMeters.bind(receiver, meters);
        receiver.start(pipeline::handle);
        return receiver;
    }
}
