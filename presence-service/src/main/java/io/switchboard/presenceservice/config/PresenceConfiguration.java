package io.switchboard.presenceservice.config;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.switchboard.presence.PresenceStore;
import io.switchboard.presence.RedisPresenceStore;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class PresenceConfiguration {

    @Bean(destroyMethod = "shutdown")
    RedisClient redisClient(PresenceProperties properties) {
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
}
