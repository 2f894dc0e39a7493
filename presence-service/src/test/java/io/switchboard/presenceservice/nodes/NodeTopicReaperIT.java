package io.switchboard.presenceservice.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.kafka.KafkaSettings;
import io.switchboard.kafka.KafkaTopics;
import io.switchboard.presence.RedisPresenceStore;
import io.switchboard.presenceservice.PresenceMeters;
import io.switchboard.protocol.envelope.ConsumerGroups;
import io.switchboard.protocol.envelope.Topics;
import io.switchboard.test.TestInfra;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against a real Kafka and Redis: the topic and consumer groups of a gateway node that holds no
 * presence lease for the retention are deleted; those of a live node, or of a node that came back
 * within the retention, are kept. Time is a test clock, so nothing waits for an hour.
 */
class NodeTopicReaperIT {

    private static final Duration RETENTION = Duration.ofMinutes(10);

    private final KafkaSettings kafka = KafkaSettings.of(TestInfra.kafkaBootstrapServers());
    private final AtomicLong nanos = new AtomicLong();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private RedisClient redisClient;
    private StatefulRedisConnection<String, String> redis;
    private RedisPresenceStore presence;
    private Admin admin;
    private NodeTopicReaper reaper;

    @BeforeEach
    void start() {
        redisClient = RedisClient.create(TestInfra.redisUri());
        redis = redisClient.connect();
        presence = new RedisPresenceStore(redis.reactive());
        admin = Admin.create(kafka.clientConfig());
        reaper = new NodeTopicReaper(presence, admin, RETENTION, Duration.ofMinutes(1), nanos::get, meters);
    }

    @AfterEach
    void stop() {
        admin.close(Duration.ofSeconds(5));
        redis.close();
        redisClient.shutdown();
    }

    @Test
    void aNodeWithoutALeaseForTheRetentionLosesItsTopicAndGroupsAndLiveOrReturningNodesKeepThem() throws Exception {
        String gone = TestInfra.uniqueId("gone");
        String live = TestInfra.uniqueId("live");
        String back = TestInfra.uniqueId("back");
        KafkaTopics.ensure(
                kafka, List.of(Topics.node(gone), Topics.node(live), Topics.node(back)), Duration.ofSeconds(30));
        for (String group : ConsumerGroups.ofGatewayNode(gone)) {
            commitAnOffset(group, Topics.node(gone));
        }
        presence.renewLease(live, Duration.ofHours(1)).block();

        assertThat(reaper.sweep().block()).isEmpty(); // t = 0: gone and back are seen without a lease
        presence.renewLease(back, Duration.ofHours(1)).block(); // back returns within the retention

        advance(RETENTION.minusSeconds(1));
        assertThat(reaper.sweep().block()).isEmpty();
        assertThat(nodeTopics()).contains(gone, live, back);

        advance(Duration.ofSeconds(1));
        assertThat(reaper.sweep().block()).containsExactly(gone);
        assertThat(nodeTopics()).doesNotContain(gone).contains(live, back);
        assertThat(groups()).doesNotContainAnyElementsOf(ConsumerGroups.ofGatewayNode(gone));
        assertThat(meters.counter(PresenceMeters.NODE_TOPICS_DELETED.meterName())
                        .count())
                .isEqualTo(1);

        // back leaves cleanly: its clock starts when the reaper first sees it without a lease
        presence.releaseLease(back).block();
        assertThat(reaper.sweep().block()).isEmpty();
        advance(RETENTION);
        assertThat(reaper.sweep().block()).containsExactly(back);
        assertThat(nodeTopics()).doesNotContain(gone, back).contains(live);
    }

    @Test
    void aNodeWithoutALeaseThatShowsItIsAliveKeepsItsTopicUntilItStops() throws Exception {
        String cutOff = TestInfra.uniqueId("cutoff"); // runs, but cannot reach Redis
        KafkaTopics.ensure(kafka, List.of(Topics.node(cutOff)), Duration.ofSeconds(30));
        showAlive(cutOff, "1");

        assertThat(sweep(cutOff)).isEmpty(); // t = 0: seen without a lease
        advance(RETENTION);
        assertThat(sweep(cutOff)).as("alive, first read").isEmpty();
        showAlive(cutOff, "2");
        advance(RETENTION);
        assertThat(sweep(cutOff)).as("alive, value changed").isEmpty();
        assertThat(nodeTopics()).contains(cutOff);

        // it stopped (no new value): gone one retention after it was last seen alive
        advance(RETENTION.minusSeconds(1));
        assertThat(sweep(cutOff)).isEmpty();
        advance(Duration.ofSeconds(1));
        assertThat(sweep(cutOff)).containsExactly(cutOff);
        assertThat(nodeTopics()).doesNotContain(cutOff);
        assertThat(groups()).doesNotContainAnyElementsOf(ConsumerGroups.ofGatewayNode(cutOff));
    }

    /** The sweep's deletions among the test's own nodes (other tests' nodes may fall due too). */
    private List<String> sweep(String node) {
        return reaper.sweep().block().stream().filter(node::equals).toList();
    }

    /** As a gateway's NodeTopicKeeper does every minute. */
    private void showAlive(String node, String value) throws Exception {
        admin.alterConsumerGroupOffsets(
                        ConsumerGroups.gatewayAlive(node),
                        Map.of(new TopicPartition(Topics.node(node), 0), new OffsetAndMetadata(0, value)))
                .all()
                .get(10, TimeUnit.SECONDS);
    }

    private void advance(Duration by) {
        nanos.addAndGet(by.toNanos());
    }

    private Set<String> nodeTopics() {
        return KafkaTopics.list(admin, Duration.ofSeconds(10)).stream()
                .map(Topics::nodeIdOf)
                .filter(id -> id != null)
                .collect(java.util.stream.Collectors.toSet());
    }

    private Set<String> groups() throws Exception {
        return admin.listConsumerGroups().all().get(10, TimeUnit.SECONDS).stream()
                .map(ConsumerGroupListing::groupId)
                .collect(java.util.stream.Collectors.toSet());
    }

    /** As a gateway's node reader does: its group holds committed offsets, and no members. */
    private void commitAnOffset(String group, String topic) throws Exception {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(kafka.consumerConfig(group, "latest"))) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(0)));
        }
        assertThat(groups()).contains(group);
    }
}
