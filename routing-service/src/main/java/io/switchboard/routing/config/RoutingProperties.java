package io.switchboard.routing.config;

import io.switchboard.kafka.KafkaSettings;
import io.switchboard.redis.RedisSettings;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * routing-service configuration, {@code switchboard.*}.
 *
 * @param kafka the Kafka cluster; see {@link KafkaSettings}
 * @param redis the Redis that holds presence; see {@link RedisSettings}
 */
@ConfigurationProperties("switchboard")
public record RoutingProperties(KafkaSettings kafka, RedisSettings redis) {

    public RoutingProperties {
        kafka = kafka == null ? KafkaSettings.of(null) : kafka;
        redis = redis == null ? new RedisSettings(null) : redis;
    }
}
