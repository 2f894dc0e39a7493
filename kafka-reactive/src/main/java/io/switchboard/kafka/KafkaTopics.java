package io.switchboard.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the topics a service needs when they do not exist yet. Brokers we ship keep
 * {@code auto.create.topics.enable=false}, so a typo in a topic name fails loudly instead of
 * silently creating a topic nobody reads.
 */
public final class KafkaTopics {

    private static final Duration RETRY_INTERVAL = Duration.ofMillis(100);

    private KafkaTopics() {}

    /**
     * Ensures every topic in {@code names} exists and every partition's leader serves requests,
     * creating the missing ones with the settings' partitions and replication factor. Blocking: call
     * it at start-up, never on an event loop.
     *
     * <p>Waiting for the leaders matters: a produce that reaches a partition in the instant between
     * its creation and its leader taking over is refused, and an idempotent producer can then be
     * left retrying an out-of-order batch until its delivery timeout.
     */
    public static void ensure(KafkaSettings settings, Collection<String> names, Duration timeout) {
        try (Admin admin = Admin.create(settings.clientConfig())) {
            ensure(admin, settings, names, timeout);
        }
    }

    /** {@link #ensure(KafkaSettings, Collection, Duration)} with a given admin client. */
    public static void ensure(Admin admin, KafkaSettings settings, Collection<String> names, Duration timeout) {
        try {
            List<NewTopic> topics = names.stream()
                    .map(name -> new NewTopic(name, settings.partitions(), settings.replicationFactor()))
                    .toList();
            for (var result : admin.createTopics(topics).values().entrySet()) {
                try {
                    result.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create Kafka topic " + result.getKey(), e.getCause());
                    }
                }
            }
            awaitLeaders(admin, names, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating Kafka topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "Kafka at " + settings.bootstrapServers() + " did not answer within " + timeout, e);
        }
    }

    /** Returns once every partition of {@code names} answers a list-offsets request from its leader. */
    private static void awaitLeaders(Admin admin, Collection<String> names, Duration timeout)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
                for (TopicDescription topic : admin.describeTopics(names)
                        .allTopicNames()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                        .values()) {
                    topic.partitions()
                            .forEach(p -> partitions.put(
                                    new TopicPartition(topic.name(), p.partition()), OffsetSpec.latest()));
                }
                // The admin client retries NOT_LEADER_OR_FOLLOWER internally until the leader serves.
                admin.listOffsets(partitions).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                // A leader that has not yet applied a topic created a moment ago answers
                // UNKNOWN_TOPIC_OR_PARTITION, which listOffsets does not retry: ask again.
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka topics " + names + " have no serving leader", e.getCause());
                }
                Thread.sleep(RETRY_INTERVAL.toMillis());
            }
        }
    }

    /** The names of all topics, for callers that must not produce to a topic that does not exist. */
    public static java.util.Set<String> list(Admin admin, Duration timeout) {
        try {
            return admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing Kafka topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot list Kafka topics", e);
        }
    }
}
