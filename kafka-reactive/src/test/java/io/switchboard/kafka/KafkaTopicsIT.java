package io.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.test.TestInfra;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ForwardingAdmin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.KafkaFutureImpl;
import org.junit.jupiter.api.Test;

/** KafkaTopics against a real broker. */
class KafkaTopicsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static KafkaSettings settings() {
        return new KafkaSettings(TestInfra.kafkaBootstrapServers(), 4, (short) 1, null);
    }

    @Test
    void createsAMissingTopicAndReturnsOnceItsLeadersServe() throws Exception {
        String topic = TestInfra.uniqueId("topics");

        KafkaTopics.ensure(settings(), List.of(topic), WAIT);
        KafkaTopics.ensure(settings(), List.of(topic), WAIT); // exists already: fine

        try (Admin admin = Admin.create(settings().clientConfig())) {
            assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).contains(topic);
        }
    }

    /**
     * A leader that has not applied a just-created topic yet answers list-offsets with
     * UNKNOWN_TOPIC_OR_PARTITION, which the admin client does not retry: a gateway on a loaded machine
     * failed to start on it (fault-injection run). The broker's answer is replayed here once.
     */
    @Test
    void aLeaderThatDoesNotKnowTheNewTopicYetIsAskedAgain() {
        String topic = TestInfra.uniqueId("topics");
        AtomicInteger listOffsetsCalls = new AtomicInteger();
        try (Admin admin = new ForwardingAdmin(settings().clientConfig()) {
            @Override
            public ListOffsetsResult listOffsets(
                    Map<TopicPartition, OffsetSpec> partitions, ListOffsetsOptions options) {
                if (listOffsetsCalls.getAndIncrement() > 0) {
                    return super.listOffsets(partitions, options);
                }
                KafkaFutureImpl<ListOffsetsResultInfo> unknown = new KafkaFutureImpl<>();
                unknown.completeExceptionally(
                        new UnknownTopicOrPartitionException("This server does not host this topic-partition."));
                Map<TopicPartition, KafkaFuture<ListOffsetsResultInfo>> results = new HashMap<>();
                partitions.keySet().forEach(partition -> results.put(partition, unknown));
                return new ListOffsetsResult(results);
            }
        }) {
            KafkaTopics.ensure(admin, settings(), List.of(topic), WAIT);

            assertThat(listOffsetsCalls)
                    .as("asked again after UNKNOWN_TOPIC_OR_PARTITION")
                    .hasValue(2);
        }
    }
}
