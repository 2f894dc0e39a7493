package io.switchboard.suite;

import io.switchboard.protocol.envelope.PresenceChange;
import io.switchboard.protocol.envelope.PresenceChangeCodec;
import io.switchboard.protocol.envelope.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads {@link Topics#PRESENCE} from its current end, as a backend would, and keeps every change
 * with the wall-clock time it was read, for tests to assert on.
 */
final class PresenceEvents implements AutoCloseable {

    /** A change and when this reader got it. */
    record Received(PresenceChange change, long receivedAt) {}

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    PresenceEvents(String bootstrapServers) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false));
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.PRESENCE, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        PresenceChangeCodec codec = new PresenceChangeCodec();
        thread = new Thread(
                () -> {
                    try {
                        while (running) {
                            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                                received.add(new Received(codec.decode(r.value()), System.currentTimeMillis()));
                            }
                        }
                    } catch (WakeupException e) {
                        // closing
                    } finally {
                        consumer.close(Duration.ofSeconds(2));
                    }
                },
                "test-presence-events");
        thread.setDaemon(true);
        thread.start();
    }

    /** The changes of {@code user} read so far, in topic order. */
    List<Received> of(String user) {
        return received.stream().filter(r -> r.change().user().equals(user)).toList();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(5000);
    }
}
