package io.switchboard.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.kafka.KafkaReceiver;
import io.switchboard.kafka.KafkaSender;
import io.switchboard.kafka.KafkaSettings;
import io.switchboard.kafka.KafkaTopics;
import io.switchboard.protocol.envelope.ConsumerGroups;
import io.switchboard.protocol.envelope.Topics;
import io.switchboard.test.TestInfra;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * Against a real Kafka: a node whose topic is deleted while it runs (as presence-service's reaper does
 * to a node cut off from Redis longer than the retention) gets it back, and its node reader, assigned
 * the topic's partitions as the gateway's is, receives what is forwarded to it afterwards.
 */
class NodeTopicKeeperIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final KafkaSettings kafka = KafkaSettings.of(TestInfra.kafkaBootstrapServers());
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @Test
    void aDeletedNodeTopicIsCreatedAgainAndLiveDeliveriesResume() throws Exception {
        String node = TestInfra.uniqueId("kept");
        String topic = Topics.node(node);
        KafkaTopics.ensure(kafka, List.of(topic), WAIT);
        List<String> received = new CopyOnWriteArrayList<>();
        NodeTopicKeeper keeper = new NodeTopicKeeper(kafka, node, Duration.ofMillis(200), meters);
        try (Admin admin = Admin.create(kafka.clientConfig());
                KafkaSender<String, byte[]> routing = new KafkaSender<>(kafka.producerConfig(), "routing");
                KafkaReceiver<String, byte[]> reader = KafkaReceiver.assignAll(
                        kafka.consumerConfig(ConsumerGroups.gatewayNode(node), "latest"), "gateway-node", topic)) {
            reader.start(batch -> Mono.fromRunnable(() -> batch.forEach(r -> received.add(value(r.value())))));
            reader.ready().block(WAIT);
            keeper.start();
            routing.send(record(topic, "before")).block(WAIT);
            await().atMost(WAIT).until(() -> received.contains("before"));
            assertThat(recreated()).as("an existing topic is left alone").isZero();

            admin.deleteTopics(List.of(topic)).all().get();
            admin.deleteConsumerGroups(ConsumerGroups.ofGatewayNode(node)); // the reaper's second step
            await().atMost(WAIT).until(() -> recreated() == 1);
            assertThat(KafkaTopics.list(admin, WAIT)).contains(topic);

            // The reader finds the new topic at its next metadata refresh and starts at its end; in
            // production routing forwards nothing until the node renews its lease, long after this.
            await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
                routing.send(record(topic, "after")).block(WAIT);
                return received.contains("after");
            });
            assertThat(recreated()).as("created once").isEqualTo(1);
        } finally {
            keeper.stop();
        }
    }

    @Test
    void aRunningNodeShowsThroughKafkaThatItIsAlive() throws Exception {
        String node = TestInfra.uniqueId("alive");
        KafkaTopics.ensure(kafka, List.of(Topics.node(node)), WAIT);
        NodeTopicKeeper keeper = new NodeTopicKeeper(kafka, node, Duration.ofMillis(200), meters);
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            keeper.start();
            await().atMost(WAIT).until(() -> alive(admin, node) != null);
            String first = alive(admin, node);
            await().atMost(WAIT)
                    .alias("a new value every round, which the reaper reads as alive")
                    .until(() -> !first.equals(alive(admin, node)));

            keeper.stop();
            String last = alive(admin, node);
            Thread.sleep(600); // three rounds' worth
            assertThat(alive(admin, node)).as("a stopped node shows nothing").isEqualTo(last);
        } finally {
            keeper.stop();
        }
    }

    /** What presence-service's reaper reads. */
    private static String alive(Admin admin, String node) throws Exception {
        String group = ConsumerGroups.gatewayAlive(node);
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata(group).get().values().stream()
                .filter(o -> o != null && !o.metadata().isEmpty())
                .map(o -> o.metadata())
                .findFirst()
                .orElse(null);
    }

    private double recreated() {
        return meters.counter(GatewayMeters.NODE_TOPIC_RECREATED.meterName()).count();
    }

    private static ProducerRecord<String, byte[]> record(String topic, String value) {
        return new ProducerRecord<>(topic, "bob", value.getBytes(StandardCharsets.UTF_8));
    }

    private static String value(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
