package io.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

import io.switchboard.kafka.health.KafkaHealth;
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
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
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
    void anErrorInTheProducerFailsTheSendsItLeftQueuedAndRefusesLaterOnes() throws Exception {
        CountDownLatch inSend = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        MockProducer<String, String> broken =
                new MockProducer<>(true, null, new StringSerializer(), new StringSerializer()) {
                    @Override
                    public synchronized Future<RecordMetadata> send(ProducerRecord<String, String> r, Callback cb) {
                        if (r.value().equals("poison")) {
                            inSend.countDown();
                            try {
                                release.await(10, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            throw new NoClassDefFoundError("org/example/SerializerDependency");
                        }
                        return super.send(r, cb);
                    }
                };
        sender.close(Duration.ofSeconds(1));
        sender = new KafkaSender<>(broken, "broken", 16);
        var poisoned = sender.send(record("poison")).toFuture();
        assertThat(inSend.await(5, TimeUnit.SECONDS)).isTrue();
        // Accepted behind it: a gateway's sends waiting for an answer, a pipeline's batch.
        var queued = sender.send(record("a")).toFuture();
        var queuedBatch = sender.sendAll(List.of(record("b"), record("c"))).toFuture();

        release.countDown();

        for (var result : List.of(poisoned, queued, queuedBatch)) {
            assertThat(result)
                    .failsWithin(Duration.ofSeconds(5))
                    .withThrowableThat()
                    .withMessageContaining("kafka-sender-broken stopped");
        }
        assertThat(sender.send(record("later")).toFuture())
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableThat()
                .withMessageContaining("stopped after an error");
        assertThat(sender.queued()).isZero();
        assertThat(broken.history()).isEmpty();
    }

    @Test
    void aSenderWhoseThreadFailedIsDownInItsHealth() throws Exception {
        MockProducer<String, String> broken =
                new MockProducer<>(true, null, new StringSerializer(), new StringSerializer()) {
                    @Override
                    public synchronized Future<RecordMetadata> send(ProducerRecord<String, String> r, Callback cb) {
                        throw new OutOfMemoryError("test: Java heap space");
                    }
                };
        sender.close(Duration.ofSeconds(1));
        sender = new KafkaSender<>(broken, "broken", 16);
        HealthIndicator health =
                (HealthIndicator) KafkaHealth.of(List.of(), List.of(sender)).getContributor("broken");
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);

        assertThat(sender.send(record("a")).toFuture()).failsWithin(Duration.ofSeconds(5));

        assertThat(sender.state()).isEqualTo(KafkaWorker.State.FAILED);
        assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.health().getDetails())
                .containsExactly(
                        entry("sender", "broken"),
                        entry("state", "failed"),
                        entry("error", "java.lang.OutOfMemoryError"));
    }

    @Test
    void aClosedSenderRefusesSends() {
        sender.close(Duration.ofSeconds(1));

        assertThatThrownBy(() -> sender.send(record("late")).block(Duration.ofSeconds(1)))
                .hasMessageContaining("closed");
    }
}
