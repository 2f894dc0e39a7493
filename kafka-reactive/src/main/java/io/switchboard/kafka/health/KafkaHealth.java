package io.switchboard.kafka.health;

import io.switchboard.kafka.KafkaReceiver;
import io.switchboard.kafka.KafkaSender;
import io.switchboard.kafka.KafkaWorker;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Spring Boot health of a service's Kafka receivers and senders: one indicator per client, named after
 * it, under one composite ({@code kafka} in the health endpoint, see {@link KafkaHealthConfiguration}).
 *
 * <p>A client is DOWN once its thread has failed ({@link KafkaWorker.State#FAILED}), UP while it runs,
 * OUT_OF_SERVICE once closed and UNKNOWN before it started. The details say which client and, when it
 * failed, the class of the error, e.g. {@code {"receiver":"routing-sequenced","state":"failed",
 * "error":"org.apache.kafka.common.errors.TopicAuthorizationException"}}: never the error's message,
 * which may quote a record or a credential. The full error is in the service's log.
 */
public final class KafkaHealth {

    private KafkaHealth() {}

    /** Reads the clients' state at every health check; names must be unique among them. */
    public static CompositeHealthContributor of(
            Collection<? extends KafkaReceiver<?, ?>> receivers, Collection<? extends KafkaSender<?, ?>> senders) {
        Map<String, HealthIndicator> byName = new LinkedHashMap<>();
        receivers.forEach(receiver -> add(byName, "receiver", receiver));
        senders.forEach(sender -> add(byName, "sender", sender));
        return CompositeHealthContributor.fromMap(byName);
    }

    private static void add(Map<String, HealthIndicator> byName, String role, KafkaWorker client) {
        if (byName.putIfAbsent(client.name(), () -> health(role, client)) != null) {
            throw new IllegalArgumentException(
                    "two Kafka clients are named " + client.name() + ": the health endpoint could show only one");
        }
    }

    private static Health health(String role, KafkaWorker client) {
        KafkaWorker.State state = client.state();
        Health.Builder health = switch (state) {
            case NEW -> Health.unknown();
            case RUNNING -> Health.up();
            case CLOSED -> Health.outOfService();
            case FAILED -> Health.down();
        };
        health.withDetail(role, client.name()).withDetail("state", state.name().toLowerCase(Locale.ROOT));
        client.failure()
                .ifPresent(error -> health.withDetail("error", error.getClass().getName()));
        return health.build();
    }
}
