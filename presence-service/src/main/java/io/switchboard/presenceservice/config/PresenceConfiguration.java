package io.switchboard.presenceservice.config;

import io.switchboard.presence.PresenceStore;
import io.switchboard.presence.RedisPresenceStore;
import io.switchboard.redis.RedisConnection;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class PresenceConfiguration {

    @Bean(destroyMethod = "close")
    RedisConnection redis(PresenceProperties properties) {
        return RedisConnection.connect(properties.redis());
    }

    @Bean
    PresenceStore presenceStore(RedisConnection redis) {
        return new RedisPresenceStore(redis.reactive());
    }
}
