package io.switchboard.presenceservice.nodes;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.presence.PresenceKeeper;
import io.switchboard.presenceservice.config.PresenceProperties;
import org.apache.kafka.clients.admin.Admin;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class NodeTopicConfiguration {

    @Bean(destroyMethod = "close")
    Admin nodeTopicAdmin(PresenceProperties properties) {
        return Admin.create(properties.kafka().clientConfig());
    }

    @Bean
    NodeTopicReaper nodeTopicReaper(
            PresenceKeeper keeper, Admin nodeTopicAdmin, NodeTopicProperties properties, MeterRegistry meters) {
        return new NodeTopicReaper(
                keeper, nodeTopicAdmin, properties.retention(), properties.sweepInterval(), System::nanoTime, meters);
    }
}
