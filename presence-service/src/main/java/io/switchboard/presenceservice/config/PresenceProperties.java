package io.switchboard.presenceservice.config;

import io.switchboard.redis.RedisSettings;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * presence-service configuration, {@code switchboard.*}.
 *
 * @param redis the Redis that holds presence; see {@link RedisSettings}
 */
@ConfigurationProperties("switchboard")
public record PresenceProperties(RedisSettings redis) {

    public PresenceProperties {
        redis = redis == null ? new RedisSettings(null) : redis;
    }
}
