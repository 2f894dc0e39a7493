package io.switchboard.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;

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

    /** The properties every client of ours starts from: bootstrap servers plus the extras. */
    public Map<String, Object> clientConfig() {
        Map<String, Object> config = new HashMap<>(clientProperties);
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return config;
    }
}
