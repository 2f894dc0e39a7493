package io.switchboard.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.switchboard.kafka.KafkaSender;
import io.switchboard.kafka.KafkaWorker;
import io.switchboard.kafka.health.KafkaHealthConfiguration;
import java.time.Duration;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.actuate.endpoint.ApiVersion;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.health.actuate.endpoint.CompositeHealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.IndicatedHealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.ReactiveHealthEndpointWebExtension;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.application.AvailabilityHealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Every service's configuration file, read as the service reads it, puts the health of its Kafka
 * receivers and senders ({@link KafkaHealthConfiguration}) in its liveness group, with details: a
 * client whose thread failed makes {@code /actuator/health/liveness} answer 503 and say which client
 * and which error, so that the orchestrator restarts the process (the thread itself is not
 * restarted, {@link KafkaWorker}). A wrong name in the group would also stop the service from
 * starting (Spring validates group members), which this catches first.
 */
class ServiceLivenessTest {

    @ParameterizedTest
    @ValueSource(strings = {"gateway-service", "presence-service", "routing-service", "offline-service"})
    void aKafkaClientWhoseThreadFailedTakesLivenessDownAndSaysWhichAndWhy(String service) {
        service(service).run(context -> {
            assertThat(context).hasNotFailed();
            started(context);
            WebEndpointResponse<? extends HealthDescriptor> liveness = context.getBean(
                            ReactiveHealthEndpointWebExtension.class)
                    .health(ApiVersion.V3, WebServerNamespace.SERVER, SecurityContext.NONE, "liveness")
                    .block(Duration.ofSeconds(10));

            assertThat(liveness.getStatus()).isEqualTo(503);
            CompositeHealthDescriptor group = (CompositeHealthDescriptor) liveness.getBody();
            assertThat(group.getStatus()).isEqualTo(Status.DOWN);
            assertThat(group.getComponents()).containsKeys("livenessState", "kafka");
            CompositeHealthDescriptor kafka =
                    (CompositeHealthDescriptor) group.getComponents().get("kafka");
            IndicatedHealthDescriptor sender =
                    (IndicatedHealthDescriptor) kafka.getComponents().get("broken");
            assertThat(sender.getDetails())
                    .containsExactly(
                            entry("sender", "broken"),
                            entry("state", "failed"),
                            entry("error", NoClassDefFoundError.class.getName()));
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"gateway-presence", "gateway-broadcast"})
    void aGatewayWhosePresenceOrBroadcastReceiverFailedStaysLiveAndHealthy(String client) {
        service("gateway-service")
                .withPropertyValues("test.failed-client=" + client)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    started(context);
                    ReactiveHealthEndpointWebExtension health =
                            context.getBean(ReactiveHealthEndpointWebExtension.class);
                    // A feature stopped on this node, most likely on every node at once: alerted on
                    // (switchboard.kafka.client.failed), not a reason to restart or unroute them all.
                    assertThat(health.health(ApiVersion.V3, WebServerNamespace.SERVER, SecurityContext.NONE, "liveness")
                                    .block(Duration.ofSeconds(10))
                                    .getStatus())
                            .isEqualTo(200);
                    assertThat(health.health(ApiVersion.V3, WebServerNamespace.SERVER, SecurityContext.NONE)
                                    .block(Duration.ofSeconds(10))
                                    .getStatus())
                            .isEqualTo(200);
                });
    }

    /** The health endpoint of {@code service}, configured from its own configuration file, with a failed sender. */
    private static ReactiveWebApplicationContextRunner service(String service) {
        return new ReactiveWebApplicationContextRunner()
                .withInitializer(new ConfigDataApplicationContextInitializer())
                .withPropertyValues("spring.config.name=" + service)
                .withConfiguration(AutoConfigurations.of(
                        ApplicationAvailabilityAutoConfiguration.class,
                        HealthContributorAutoConfiguration.class,
                        HealthContributorRegistryAutoConfiguration.class,
                        HealthEndpointAutoConfiguration.class,
                        AvailabilityHealthContributorAutoConfiguration.class,
                        AvailabilityProbesAutoConfiguration.class))
                .withUserConfiguration(KafkaHealthConfiguration.class, FailedSender.class);
    }

    /** What a started application says of itself (a bare context's liveness is BROKEN until then). */
    private static void started(ApplicationContext context) {
        AvailabilityChangeEvent.publish(context, LivenessState.CORRECT);
        AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
    }

    /** A sender whose thread an Error stopped. */
    @Configuration(proxyBeanMethods = false)
    static class FailedSender {
        @Bean(destroyMethod = "close")
        KafkaSender<String, String> brokenSender(Environment environment) {
            MockProducer<String, String> producer =
                    new MockProducer<>(true, null, new StringSerializer(), new StringSerializer()) {
                        @Override
                        public synchronized Future<RecordMetadata> send(
                                ProducerRecord<String, String> record, Callback callback) {
                            throw new NoClassDefFoundError("org/example/SerializerDependency");
                        }
                    };
            KafkaSender<String, String> sender =
                    new KafkaSender<>(producer, environment.getProperty("test.failed-client", "broken"), 16);
            sender.send(new ProducerRecord<>("t", "k", "v")).onErrorComplete().block(Duration.ofSeconds(5));
            assertThat(sender.state()).isEqualTo(KafkaWorker.State.FAILED);
            return sender;
        }
    }
}
