package io.switchboard.kafka.health;

import io.switchboard.kafka.KafkaReceiver;
import io.switchboard.kafka.KafkaSender;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Puts the {@link KafkaHealth} of every {@link KafkaReceiver} and {@link KafkaSender} bean of a
 * service in its health endpoint, as {@code kafka} (Spring names a contributor after its bean, without
 * the {@code HealthContributor} suffix). Import it in a service's configuration and include
 * {@code kafka} in its liveness group: a client whose thread failed is not restarted in the process,
 * the process is.
 *
 * <p>Clients named in {@value #EXCLUDE} are left out: those whose failure stops a feature, not the
 * node's part in delivering messages. Their failure is seen by {@link
 * io.switchboard.kafka.KafkaMeters#CLIENT_FAILED} and its alert instead. A cause such failures often
 * share across the fleet (an ACL on one topic) must not take every node's health down at once, and
 * with it every node out of the load balancer, or restart them all together.
 */
@Configuration(proxyBeanMethods = false)
public class KafkaHealthConfiguration {

    /** Comma-separated names of clients kept out of the health endpoint. */
    public static final String EXCLUDE = "switchboard.kafka.health.exclude";

    @Bean
    CompositeHealthContributor kafkaHealthContributor(
            ObjectProvider<KafkaReceiver<?, ?>> receivers,
            ObjectProvider<KafkaSender<?, ?>> senders,
            Environment environment) {
        Set<String> excluded = Binder.get(environment)
                .bind(EXCLUDE, Bindable.setOf(String.class))
                .orElse(Set.of());
        return KafkaHealth.of(
                receivers
                        .orderedStream()
                        .filter(r -> !excluded.contains(r.name()))
                        .toList(),
                senders.orderedStream()
                        .filter(s -> !excluded.contains(s.name()))
                        .toList());
    }
}
