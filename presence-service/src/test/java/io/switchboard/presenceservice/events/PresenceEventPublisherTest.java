package io.switchboard.presenceservice.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.kafka.KafkaSender;
import io.switchboard.presence.InMemoryPresenceStore;
import io.switchboard.presence.PresenceSession;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PresenceEventPublisherTest {

    private final InMemoryPresenceStore store = new InMemoryPresenceStore(Clock.systemUTC());
    private final AtomicBoolean kafkaDown = new AtomicBoolean();
    private final MockProducer<String, byte[]> producer =
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()) {
                @Override
                public synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> r, Callback cb) {
                    if (kafkaDown.get()) {
                        TimeoutException e = new TimeoutException("not acknowledged in time");
                        cb.onCompletion(null, e);
                        return CompletableFuture.failedFuture(e);
                    }
                    return super.send(r, cb);
                }
            };
    private final KafkaSender<String, byte[]> sender = new KafkaSender<>(producer, "test", 100);
    private final PresenceEventPublisher publisher =
            new PresenceEventPublisher(store, sender, "presence-1", new SimpleMeterRegistry());

    @AfterEach
    void close() {
        sender.close(Duration.ofSeconds(1));
    }

    private void online(String user) {
        store.register(new PresenceSession(user, "d", "s-" + user, "gw-1", 0), Duration.ofMinutes(1))
                .block();
    }

    @Test
    void aBatchKafkaDidNotTakeIsPublishedBeforeAnythingNewer() {
        online("alice");
        kafkaDown.set(true);
        assertThatThrownBy(() -> publisher.publishOnce().block(Duration.ofSeconds(5)));
        kafkaDown.set(false);
        online("bob"); // a later transition, while alice's is still pending

        publisher.publishOnce().block(Duration.ofSeconds(5));
        publisher.publishOnce().block(Duration.ofSeconds(5));

        assertThat(producer.history())
                .extracting(ProducerRecord::key)
                .as("published in outbox order")
                .containsExactly("alice", "bob");
    }
}
