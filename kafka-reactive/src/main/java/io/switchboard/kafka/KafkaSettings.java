package io.switchboard.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * How a service reaches Kafka and how the topics it creates are shaped; bound from
 * {@code switchboard.kafka.*}.
 *
 * @param bootstrapServers comma-separated {@code host:port}; default {@code 127.0.0.1:19092} (the local suite)
 * @param partitions partitions of each topic a service creates; default 8. Order is kept per
 *     recipient, so more partitions only add parallelism
 * @param replicationFactor replicas of each topic a service creates; default 1 (local). Use 3 in production
 * @param clientProperties extra Kafka client properties (security, timeouts) applied to every client
 */
public record KafkaSettings(
        String bootstrapServers, int partitions, short replicationFactor, Map<String, String> clientProperties) {

    public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:19092";

    /** Consumer group session timeout unless {@code clientProperties} set {@code session.timeout.ms}. */
    public static final int SESSION_TIMEOUT_MS = 10_000;

    /** Longest time between polls unless {@code clientProperties} set {@code max.poll.interval.ms}. */
    public static final int MAX_POLL_INTERVAL_MS = 60_000;

    public KafkaSettings {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            bootstrapServers = DEFAULT_BOOTSTRAP_SERVERS;
        }
        if (partitions <= 0) {
            partitions = 8;
        }
        if (replicationFactor <= 0) {
            replicationFactor = 1;
        }
        clientProperties = clientProperties == null ? Map.of() : Map.copyOf(clientProperties);
    }

    public static KafkaSettings of(String bootstrapServers) {
        return new KafkaSettings(bootstrapServers, 0, (short) 0, null);
    }

    /**
     * Producer properties for our topics (keys: recipient id as string; values: envelope bytes).
     * {@link KafkaSender} adds {@code acks=all} and idempotence.
     */
    public Map<String, Object> producerConfig() {
        Map<String, Object> config = clientConfig();
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return config;
    }

    /**
     * Consumer properties for our topics, in consumer group {@code groupId}.
     *
     * <p>A member that stops heartbeating is dropped from its group after {@link #SESSION_TIMEOUT_MS}
     * (10 s, Kafka's default is 45 s), so its partitions move to a live or restarted member that soon;
     * one that heartbeats but stops polling, after {@link #MAX_POLL_INTERVAL_MS} (60 s, not 5 min).
     *
     * @param autoOffsetReset where a group with no committed offset starts: {@code earliest} for
     *     pipelines that must see every record, {@code latest} for readers that start fresh
     */
    public Map<String, Object> consumerConfig(String groupId, String autoOffsetReset) {
        Map<String, Object> config = clientConfig();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, autoOffsetReset);
        // A member that dies without leaving its group (kill -9, a lost machine) keeps its partitions
        // until the coordinator gives up on it, and a restarted member waits for that too: with
        // Kafka's default of 45 s every delivery through the group would stop that long. The
        // heartbeat has its own thread, so only a JVM frozen this long is taken for dead.
        config.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
        config.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, SESSION_TIMEOUT_MS / 3);
        // A member whose heartbeat runs but whose poll thread is stuck keeps its partitions, and every
        // rebalance of its group waits for it, until this passes: Kafka's default is 5 minutes.
        // KafkaReceiver polls at least every 500 ms, slow batches included, and holds a rebalance at
        // most 30 s to let a batch finish; so a minute takes out only a member that is really stuck.
        config.putIfAbsent(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, MAX_POLL_INTERVAL_MS);
        return config;
    }

    /** The properties every client of ours starts from: bootstrap servers plus the extras. */
    public Map<String, Object> clientConfig() {
        Map<String, Object> config = new HashMap<>(clientProperties);
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return config;
    }
}
