package io.switchboard.gateway.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.gateway.api.ApiException;
import io.switchboard.gateway.inbound.FanOut;
import io.switchboard.inbox.InMemorySendLedger;
import io.switchboard.kafka.KafkaSender;
import io.switchboard.protocol.RawJson;
import io.switchboard.protocol.envelope.EnvelopeCodec;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a backend is told when Kafka takes only some copies, and that a retry with the same cid
 * completes exactly those. (Kafka's own MockProducer stands in for the broker; the end-to-end
 * behaviour on a real broker is in the suite's BackendApiIT.)
 */
class PublisherTest {

    private static final List<String> RECIPIENTS = List.of("u1", "u2", "u3", "u4", "u5");

    /** Keys whose records the "broker" refuses. */
    private final Set<String> refused = ConcurrentHashMap.newKeySet();

    private final MockProducer<String, byte[]> producer =
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()) {
                @Override
                public synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> r, Callback cb) {
                    if (refused.contains(r.key())) {
                        TimeoutException e = new TimeoutException("not acknowledged in time");
                        cb.onCompletion(null, e);
                        return CompletableFuture.failedFuture(e);
                    }
                    return super.send(r, cb);
                }
            };
    private final KafkaSender<String, byte[]> sender = new KafkaSender<>(producer, "test", 100);
    private final InMemorySendLedger ledger = new InMemorySendLedger();

    @AfterEach
    void close() {
        sender.close(Duration.ofSeconds(1));
    }

    private Publisher publisher(int maxInflightCopies) {
        return new Publisher(ledger, new FanOut(sender, 2, 2, maxInflightCopies, 1 << 20), new SimpleMeterRegistry());
    }

    private static Publisher.Request request(String body) {
        return new Publisher.Request("billing", RECIPIENTS, new RawJson(body), "evt-1");
    }

    @Test
    void aPartialFailureNamesWhoHasItAndARetryCompletesTheRest() {
        Publisher publisher = publisher(100);
        refused.add("u3"); // its chunk (u3, u4) is not acknowledged

        Publisher.Outcome first = publisher.publish(request("1")).block(Duration.ofSeconds(5));

        assertThat(first.result().accepted()).containsExactlyInAnyOrder("u1", "u2", "u5");
        assertThat(first.result().failed()).containsExactlyInAnyOrder("u3", "u4");
        assertThat(first.deduplicated()).isFalse();

        refused.clear();
        Publisher.Outcome retry = publisher.publish(request("1")).block(Duration.ofSeconds(5));

        assertThat(retry.id()).isEqualTo(first.id());
        assertThat(retry.deduplicated()).isTrue();
        assertThat(retry.result().complete()).isTrue();
        assertThat(retry.result().accepted()).containsExactlyInAnyOrderElementsOf(RECIPIENTS);
        // u4 was written the first time although its chunk failed ("failed" = not confirmed); every
        // copy ever written carries the one id, so each inbox stores it once
        EnvelopeCodec codec = new EnvelopeCodec();
        assertThat(producer.history())
                .extracting(r -> codec.decodeInbound(r.value()).id())
                .containsOnly(first.id());
        assertThat(producer.history())
                .extracting(r -> codec.decodeInbound(r.value()).to())
                .containsExactlyInAnyOrder("u1", "u2", "u4", "u5", "u1", "u2", "u3", "u4", "u5");
    }

    @Test
    void theSameCidForAnotherMessageIsAConflictNotTheOldMessage() {
        Publisher publisher = publisher(100);
        publisher.publish(request("1")).block(Duration.ofSeconds(5));

        assertThatThrownBy(() -> publisher.publish(request("2")).block(Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo("cid_conflict"));
        assertThat(producer.history()).hasSize(RECIPIENTS.size());
    }

    @Test
    void aNodeWithTooManyCopiesInFlightRefusesAtOnceAndWritesNothing() {
        Publisher publisher = publisher(4);

        assertThatThrownBy(() -> publisher.publish(request("1")).block(Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo("overloaded"));
        assertThat(producer.history()).isEmpty();
    }
}
