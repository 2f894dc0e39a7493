package io.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class KafkaSenderTest {

    private final MockProducer<String, String> producer =
            new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());
    private KafkaSender<String, String> sender = new KafkaSender<>(producer, "test", 1024);

    @AfterEach
    void close() {
        sender.close(Duration.ofSeconds(1));
    }

    private static ProducerRecord<String, String> record(String value) {
        return new ProducerRecord<>("t", "k", value);
    }

    @Test
    void succeedsOnlyOnceTheBrokerAcknowledged() {
        var result = sender.send(record("a")).toFuture();
        await().until(() -> producer.history().size() == 1);
        assertThat(result).isNotDone();

        producer.completeNext();

        assertThat(result).succeedsWithin(Duration.ofSeconds(5));
    }

    @Test
    void aRefusedSendFails() {
        var result = sender.send(record("a")).toFuture();
        await().until(() -> producer.history().size() == 1);

        producer.errorNext(new IllegalStateException("broker said no"));

        assertThat(result)
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableThat()
                .withMessageContaining("broker said no");
    }

    @Test
    void nothingIsSentUntilSubscribed() {
        Mono<RecordMetadata> lazy = sender.send(record("a"));

        await().during(Duration.ofMillis(200)).until(() -> producer.history().isEmpty());
        lazy.subscribe();
        await().until(() -> producer.history().size() == 1);
    }

    @Test
    void recordsReachTheProducerInSubscriptionOrder() {
        for (int i = 0; i < 100; i++) {
            sender.send(record(Integer.toString(i))).subscribe();
        }
        await().until(() -> producer.history().size() == 100);

        assertThat(producer.history())
                .extracting(ProducerRecord::value)
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 100)
                        .mapToObj(Integer::toString)
                        .toList());
    }

    @Test
    void sendAllSucceedsWhenEveryRecordIsAcknowledgedAndKeepsTheirOrder() {
        var result =
                sender.sendAll(List.of(record("a"), record("b"), record("c"))).toFuture();
        await().until(() -> producer.history().size() == 3);
        producer.completeNext();
        producer.completeNext();
        assertThat(result).isNotDone();

        producer.completeNext();

        assertThat(result).succeedsWithin(Duration.ofSeconds(5)).asList().hasSize(3);
        assertThat(producer.history()).extracting(ProducerRecord::value).containsExactly("a", "b", "c");
    }

    @Test
    void aFullQueueFailsFastInsteadOfBlocking() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        MockProducer<String, String> stuck =
                new MockProducer<>(true, null, new StringSerializer(), new StringSerializer()) {
                    @Override
                    public synchronized Future<RecordMetadata> send(ProducerRecord<String, String> r, Callback cb) {
                        try {
                            release.await(10, TimeUnit.SECONDS); // a producer blocked on metadata or buffer
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return super.send(r, cb);
                    }
                };
        sender.close(Duration.ofSeconds(1));
        sender = new KafkaSender<>(stuck, "stuck", 2);
        sender.send(record("in the producer")).subscribe();
        await().until(() -> sender.queued() == 0);
        sender.send(record("queued 1")).subscribe();
        sender.send(record("queued 2")).subscribe();

        StepVerifier.create(sender.send(record("one too many")))
                .expectError(KafkaSenderOverloadedException.class)
                .verify(Duration.ofMillis(500));
        release.countDown();
    }

    @Test
    void aClosedSenderRefusesSends() {
        sender.close(Duration.ofSeconds(1));

        assertThatThrownBy(() -> sender.send(record("late")).block(Duration.ofSeconds(1)))
                .hasMessageContaining("closed");
    }
}
