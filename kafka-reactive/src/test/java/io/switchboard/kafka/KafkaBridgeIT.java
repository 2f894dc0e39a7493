package io.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.test.TestInfra;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** KafkaSender and KafkaReceiver against a real broker. */
class KafkaBridgeIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static KafkaSettings settings() {
        return new KafkaSettings(TestInfra.kafkaBootstrapServers(), 4, (short) 1, null);
    }

    private static String topic() {
        String topic = TestInfra.uniqueId("bridge");
        KafkaTopics.ensure(settings(), List.of(topic), WAIT);
        return topic;
    }

    private static List<ProducerRecord<String, byte[]>> records(String topic, int from, int to) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (int i = from; i < to; i++) {
            records.add(new ProducerRecord<>(
                    topic, "key-" + (i % 16), Integer.toString(i).getBytes(StandardCharsets.UTF_8)));
        }
        return records;
    }

    private static int value(ConsumerRecord<String, byte[]> r) {
        return Integer.parseInt(new String(r.value(), StandardCharsets.UTF_8));
    }

    @Test
    void tenThousandRecordsArriveOnceEachInOrderPerKey() {
        String topic = topic();
        Map<String, List<Integer>> byKey = new ConcurrentHashMap<>();
        AtomicInteger received = new AtomicInteger();
        try (KafkaSender<String, byte[]> sender = new KafkaSender<>(settings().producerConfig(), "it");
                KafkaReceiver<String, byte[]> receiver = KafkaReceiver.subscribe(
                        settings().consumerConfig(TestInfra.uniqueId("g"), "earliest"), "it", List.of(topic))) {
            receiver.start(batch -> {
                batch.forEach(r -> byKey.computeIfAbsent(r.key(), k -> new CopyOnWriteArrayList<>())
                        .add(value(r)));
                received.addAndGet(batch.size());
                return Mono.empty();
            });
            long started = System.nanoTime();
            sender.sendAll(records(topic, 0, 10_000)).block(WAIT);

            await().atMost(WAIT).until(() -> received.get() >= 10_000);
            System.out.printf(
                    "10,000 records produced and consumed in %d ms%n", (System.nanoTime() - started) / 1_000_000);
            assertThat(received).hasValue(10_000);
            byKey.values().forEach(values -> assertThat(values).isSorted().doesNotHaveDuplicates());
        }
    }

    @Test
    void aNewReceiverInTheGroupResumesAfterTheLastCommittedBatch() {
        String topic = topic();
        String group = TestInfra.uniqueId("g");
        List<Integer> firstRun = new CopyOnWriteArrayList<>();
        try (KafkaSender<String, byte[]> sender = new KafkaSender<>(settings().producerConfig(), "it")) {
            sender.sendAll(records(topic, 0, 100)).block(WAIT);
            try (KafkaReceiver<String, byte[]> first =
                    KafkaReceiver.subscribe(settings().consumerConfig(group, "earliest"), "first", List.of(topic))) {
                first.start(batch -> {
                    batch.forEach(r -> firstRun.add(value(r)));
                    return Mono.empty();
                });
                await().atMost(WAIT).until(() -> firstRun.size() == 100);
                await().atMost(WAIT).until(() -> first.recordsProcessed() == 100);
            }
            sender.sendAll(records(topic, 100, 150)).block(WAIT);

            List<Integer> secondRun = new CopyOnWriteArrayList<>();
            try (KafkaReceiver<String, byte[]> second =
                    KafkaReceiver.subscribe(settings().consumerConfig(group, "earliest"), "second", List.of(topic))) {
                second.start(batch -> {
                    batch.forEach(r -> secondRun.add(value(r)));
                    return Mono.empty();
                });
                await().atMost(WAIT).until(() -> secondRun.size() >= 50);
                await().during(Duration.ofMillis(500)).until(() -> secondRun.size() == 50);
            }
            assertThat(secondRun)
                    .containsExactlyInAnyOrderElementsOf(
                            java.util.stream.IntStream.range(100, 150).boxed().toList());
        }
    }

    @Test
    void aReceiverTakesOverWithinSecondsFromAGroupMemberThatDiedWithoutLeaving() {
        String topic = topic();
        String group = TestInfra.uniqueId("g");
        // A process killed with SIGKILL never leaves its group: it just stops heartbeating.
        KafkaConsumer<String, byte[]> dead = new KafkaConsumer<>(settings().consumerConfig(group, "earliest"));
        dead.subscribe(List.of(topic));
        await().atMost(WAIT).until(() -> {
            dead.poll(Duration.ofMillis(100));
            return !dead.assignment().isEmpty();
        });
        dead.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP));

        List<Integer> received = new CopyOnWriteArrayList<>();
        long started = System.nanoTime();
        try (KafkaSender<String, byte[]> sender = new KafkaSender<>(settings().producerConfig(), "it");
                KafkaReceiver<String, byte[]> successor =
                        KafkaReceiver.subscribe(settings().consumerConfig(group, "earliest"), "it", List.of(topic))) {
            successor.start(batch -> {
                batch.forEach(r -> received.add(value(r)));
                return Mono.empty();
            });
            sender.sendAll(records(topic, 0, 10)).block(WAIT);

            // The group waits for the dead member's session to expire before it assigns anything:
            // Kafka's default session timeout (45 s) would stop the pipeline that long.
            await().atMost(Duration.ofSeconds(25)).until(() -> received.size() >= 10);
            System.out.printf("successor received after %d ms%n", (System.nanoTime() - started) / 1_000_000);
            assertThat(received).containsExactlyInAnyOrderElementsOf(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        }
    }

    @Test
    void aBatchThatFailedIsRedeliveredUntilHandledAndNothingIsLost() {
        String topic = topic();
        AtomicInteger failuresLeft = new AtomicInteger(2);
        List<Integer> handled = new CopyOnWriteArrayList<>();
        try (KafkaSender<String, byte[]> sender = new KafkaSender<>(settings().producerConfig(), "it");
                KafkaReceiver<String, byte[]> receiver = KafkaReceiver.subscribe(
                        settings().consumerConfig(TestInfra.uniqueId("g"), "earliest"), "it", List.of(topic))) {
            receiver.start(batch -> {
                if (failuresLeft.getAndDecrement() > 0) {
                    return Mono.error(new IllegalStateException("downstream unavailable"));
                }
                batch.forEach(r -> handled.add(value(r)));
                return Mono.empty();
            });
            sender.sendAll(records(topic, 0, 200)).block(WAIT);

            await().atMost(WAIT).until(() -> handled.size() >= 200);
            assertThat(handled).doesNotHaveDuplicates().hasSize(200);
            assertThat(receiver.retries()).isEqualTo(2);
        }
    }

    @Test
    void aSlowHandlerNeverHasMoreThanOneBatchInFlight() {
        String topic = topic();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        AtomicInteger handled = new AtomicInteger();
        try (KafkaSender<String, byte[]> sender = new KafkaSender<>(settings().producerConfig(), "it");
                KafkaReceiver<String, byte[]> receiver = KafkaReceiver.assignAll(
                        settings().consumerConfig(TestInfra.uniqueId("g"), "earliest"), "it", topic)) {
            // The handler leaves "in flight" before its Mono completes: the receiver may start the next
            // batch as soon as it sees the completion, before a doFinally of this one would run.
            receiver.start(batch -> Mono.defer(() -> {
                maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                return Mono.delay(Duration.ofMillis(50)).then(Mono.fromRunnable(() -> {
                    inFlight.decrementAndGet();
                    handled.addAndGet(batch.size());
                }));
            }));
            receiver.ready().block(WAIT);
            sender.sendAll(records(topic, 0, 2_000)).block(WAIT);

            await().atMost(WAIT).until(() -> handled.get() >= 2_000);
            assertThat(maxInFlight).hasValue(1);
        }
    }
}
