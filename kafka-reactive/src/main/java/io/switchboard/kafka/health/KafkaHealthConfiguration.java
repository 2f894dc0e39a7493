package io.switchboard.kafka.health;

import io.switchboard.kafka.KafkaReceiver;
import io.switchboard.kafka.KafkaSender;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Puts the {@link KafkaHealth} of every {@link KafkaReceiver} and {@link KafkaSender} bean of a
 * service in its health endpoint, as {@code kafka} (Spring names a contributor after its bean, without
 * the {@code HealthContributor} suffix). Import it in a service's configuration and include
 * {@code kafka} in its liveness group: a client whose thread failed is not restarted in the process,
 * the process is.
 */
@Configuration(proxyBeanMethods = false)
public class KafkaHealthConfiguration {

    @Bean
    CompositeHealthContributor kafkaHealthContributor(
            ObjectProvider<KafkaReceiver<?, ?>> receivers, ObjectProvider<KafkaSender<?, ?>> senders) {
        return KafkaHealth.of(
                receivers.orderedStream().toList(), senders.orderedStream().toList());
    }
}
