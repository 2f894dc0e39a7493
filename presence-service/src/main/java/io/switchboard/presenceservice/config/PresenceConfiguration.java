package io.switchboard.presenceservice.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.kafka.KafkaMeters;
import io.switchboard.kafka.KafkaSender;
import io.switchboard.kafka.KafkaTopics;
import io.switchboard.kafka.health.KafkaHealthConfiguration;
import io.switchboard.presence.PresenceKeeper;
import io.switchboard.presence.RedisPresenceStore;
import io.switchboard.presenceservice.events.PresenceEventPublisher;
import io.switchboard.presenceservice.sweep.PresenceSweeper;
import io.switchboard.protocol.envelope.Topics;
import io.switchboard.redis.RedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

@Configuration(proxyBeanMethods = false)
// "kafka" in /actuator/health: the yml puts it in liveness, so a dead Kafka thread restarts the process
@Import(KafkaHealthConfiguration.class)
class PresenceConfiguration {

    @Bean(destroyMethod = "close")
    RedisConnection redis(PresenceProperties properties, MeterRegistry meters) {
        return RedisConnection.connect(properties.redis(), meters);
    }

    @Bean
    RedisPresenceStore presenceStore(RedisConnection redis) {
        return new RedisPresenceStore(redis.reactive());
    }

    @Bean
    PresenceSweeper presenceSweeper(PresenceKeeper keeper, PresenceProperties properties, MeterRegistry meters) {
        PresenceProperties.Presence p = properties.presence();
        return new PresenceSweeper(keeper, p.grace(), p.sweepInterval(), p.sweepBatch(), meters);
    }

    @Bean(destroyMethod = "close")
    KafkaSender<String, byte[]> presenceSender(PresenceProperties properties, MeterRegistry meters) {
        KafkaTopics.ensure(properties.kafka(), List.of(Topics.PRESENCE), Duration.ofSeconds(30));
        KafkaSender<String, byte[]> sender =
                new KafkaSender<>(properties.kafka().producerConfig(), "presence-events");
        KafkaMeters.bind(sender, meters);
        return sender;
    }

    /** Each instance claims events under its own name; a crashed one's claims are taken over. */
    @Bean
    PresenceEventPublisher presenceEventPublisher(
            PresenceKeeper keeper,
            KafkaSender<String, byte[]> sender,
            MeterRegistry meters,
            @Value("${server.port:8090}") int port) {
        String consumer =
                "presence-" + port + "-" + UUID.randomUUID().toString().substring(0, 8);
        return new PresenceEventPublisher(keeper, sender, consumer, meters);
    }
}
