package io.switchboard.offline.config;

import io.switchboard.kafka.KafkaSettings;
import io.switchboard.redis.RedisSettings;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * offline-service configuration, {@code switchboard.*}.
 *
 * @param offline what is kept and for how long
 * @param kafka the Kafka cluster; see {@link KafkaSettings}
 * @param redis the Redis that holds the inboxes; see {@link RedisSettings}
 */
@ConfigurationProperties("switchboard")
public record OfflineProperties(Offline offline, KafkaSettings kafka, RedisSettings redis) {

    public OfflineProperties {
        offline = offline == null ? new Offline(null, 0) : offline;
        kafka = kafka == null ? KafkaSettings.of(null) : kafka;
        redis = redis == null ? new RedisSettings(null) : redis;
    }

    /**
     * @param retention how long a message is kept after it was accepted, whether or not any device
     *     confirmed it; default 2 days ({@code switchboard.offline.retention})
     * @param maxMessagesPerUser the most messages kept per recipient; older ones are dropped first;
     *     default 10,000 ({@code switchboard.offline.max-messages-per-user})
     */
    public record Offline(Duration retention, int maxMessagesPerUser) {
        public Offline {
            retention = retention == null ? Duration.ofDays(2) : retention;
            maxMessagesPerUser = maxMessagesPerUser <= 0 ? 10_000 : maxMessagesPerUser;
            if (retention.isNegative() || retention.isZero()) {
                throw new IllegalArgumentException("switchboard.offline.retention must be positive");
            }
        }
    }
}
