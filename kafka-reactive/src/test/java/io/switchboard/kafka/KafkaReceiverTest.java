package io.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.kafka.health.KafkaHealth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import reactor.blockhound.BlockHound;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

class KafkaReceiverTest {

    private static final String TOPIC = "t";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);

    private final MockConsumer<String, String> consumer = new MockConsumer<>("earliest");
    private KafkaReceiver<String, String> receiver;

    @BeforeEach
    void topic() {
        withPartitions(consumer, 1);
        receiver = KafkaReceiver.of(consumer, "test", null, TOPIC);
    }

    /** Gives the mock topic {@code count} partitions, each starting at offset 0. */
    private static void withPartitions(MockConsumer<String, String> mock, int count) {
        Node node = new Node(0, "localhost", 9092);
        List<PartitionInfo> partitions = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            partitions.add(new PartitionInfo(TOPIC, p, node, new Node[] {node}, new Node[] {node}));
            mock.updateBeginningOffsets(Map.of(new TopicPartition(TOPIC, p), 0L));
        }
        mock.updatePartitions(TOPIC, partitions);
    }

    @AfterEach
    void close() {
        receiver.close();
    }

    private void add(long offset, String value) {
        consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, offset, "k", value));
    }

    private OffsetAndMetadata committed() {
        return consumer.committed(Set.of(P0)).get(P0);
    }

    @Test
    void commitsABatchOnlyAfterItsHandlerCompletedAndPausesWhileItIsSlow() {
        List<List<String>> batches = new CopyOnWriteArrayList<>();
        Sinks.One<Void> finish = Sinks.one();
        receiver.start(records -> {
            batches.add(records.stream().map(ConsumerRecord::value).toList());
            return finish.asMono();
        });
        receiver.ready().block(Duration.ofSeconds(5));
        // In one poll, so they make one batch.
        consumer.schedulePollTask(() -> {
            add(0, "a");
            add(1, "b");
        });

        await().until(() -> batches.size() == 1);
        assertThat(batches.get(0)).containsExactly("a", "b");
        // A batch slower than PAUSE_AFTER_MS: the consumer is polled again, with nothing fetched.
        await().until(() -> consumer.paused().contains(P0));
        add(2, "c");
        await().during(Duration.ofMillis(300)).until(() -> committed() == null && batches.size() == 1);

        finish.tryEmitEmpty();

        await().until(() -> committed() != null && committed().offset() >= 2);
        await().until(() -> consumer.paused().isEmpty());
        await().until(() -> batches.size() == 2);
        assertThat(batches.get(1)).containsExactly("c");
    }

    @Test
    void commitsOfQuickBatchesAreCoalescedAndTheLastOneIsNotHeldBack() {
        List<Long> commits = new CopyOnWriteArrayList<>();
        MockConsumer<String, String> counting = new MockConsumer<>("earliest") {
            @Override
            public synchronized void commitAsync(
                    Map<TopicPartition, OffsetAndMetadata> offsets,
                    org.apache.kafka.clients.consumer.OffsetCommitCallback callback) {
                commits.add(offsets.get(P0).offset());
                super.commitAsync(offsets, callback);
            }
        };
        withPartitions(counting, 1);
        receiver.close();
        receiver = KafkaReceiver.of(counting, "test", null, TOPIC);
        AtomicInteger batches = new AtomicInteger();
        receiver.start(records -> Mono.fromRunnable(batches::incrementAndGet));
        receiver.ready().block(Duration.ofSeconds(5));
        for (int i = 0; i < 200; i++) {
            int offset = i;
            counting.schedulePollTask(
                    () -> counting.addRecord(new ConsumerRecord<>(TOPIC, 0, offset, "k", "r" + offset)));
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> !commits.isEmpty() && commits.get(commits.size() - 1) == 200);
        assertThat(batches.get()).isGreaterThan(50);
        assertThat(commits).hasSizeLessThan(batches.get() / 5).isSorted();
    }

    @Test
    void recordsAreCountedWhenTheCommitCarryingTheirBatchSucceedsNotWhenItIsSent() {
        AtomicBoolean coordinatorAway = new AtomicBoolean(true);
        List<Long> failedCommits = new CopyOnWriteArrayList<>();
        MockConsumer<String, String> failing = new MockConsumer<>("earliest") {
            @Override
            public synchronized void commitAsync(
                    Map<TopicPartition, OffsetAndMetadata> offsets,
                    org.apache.kafka.clients.consumer.OffsetCommitCallback callback) {
                if (coordinatorAway.get()) {
                    failedCommits.add(offsets.get(P0).offset());
                    callback.onComplete(offsets, new TimeoutException("the group coordinator moved"));
                } else {
                    super.commitAsync(offsets, callback);
                }
            }
        };
        withPartitions(failing, 1);
        receiver.close();
        receiver = KafkaReceiver.of(failing, "test", null, TOPIC);
        receiver.start(records -> Mono.empty());
        receiver.ready().block(Duration.ofSeconds(5));
        failing.schedulePollTask(() -> failing.addRecord(new ConsumerRecord<>(TOPIC, 0, 0, "k", "a")));

        await().atMost(Duration.ofSeconds(5)).until(() -> !failedCommits.isEmpty());
        assertThat(receiver.recordsProcessed()).isZero();
        assertThat(receiver.batchesCommitted()).isZero();

        coordinatorAway.set(false);
        failing.schedulePollTask(() -> failing.addRecord(new ConsumerRecord<>(TOPIC, 0, 1, "k", "b")));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> failing.committed(Set.of(P0)).get(P0) != null);
        // Each record counts once, with the commit that carried its batch's offsets.
        assertThat(receiver.recordsProcessed()).isEqualTo(1);
        assertThat(receiver.batchesCommitted()).isEqualTo(1);
    }

    @Test
    void closingWhileABatchIsInFlightCommitsItOnceItCompletes() {
        // As KafkaConsumer does: a wakeup() not taken by a poll is thrown by the next blocking call.
        AtomicBoolean wakeupPending = new AtomicBoolean();
        List<Long> commits = new CopyOnWriteArrayList<>();
        MockConsumer<String, String> waking = new MockConsumer<>("earliest") {
            @Override
            public synchronized void wakeup() {
                wakeupPending.set(true);
                super.wakeup();
            }

            @Override
            public synchronized ConsumerRecords<String, String> poll(Duration timeout) {
                wakeupPending.set(false);
                return super.poll(timeout);
            }

            @Override
            public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
                if (wakeupPending.getAndSet(false)) {
                    throw new WakeupException();
                }
                commits.add(offsets.get(P0).offset());
                super.commitSync(offsets);
            }
        };
        withPartitions(waking, 1);
        receiver.close();
        receiver = KafkaReceiver.of(waking, "test", null, TOPIC);
        AtomicBoolean handling = new AtomicBoolean();
        receiver.start(records -> Mono.delay(Duration.ofSeconds(1))
                .doOnSubscribe(subscription -> handling.set(true))
                .then());
        receiver.ready().block(Duration.ofSeconds(5));
        waking.schedulePollTask(() -> waking.addRecord(new ConsumerRecord<>(TOPIC, 0, 0, "k", "a")));
        await().pollDelay(Duration.ZERO).atMost(Duration.ofSeconds(5)).until(handling::get);

        receiver.close(); // wakes the consumer, which the final commit must not trip over

        assertThat(commits).containsExactly(1L);
    }

    @Test
    void aFailedBatchIsHandedOverAgainUntilItSucceedsAndOnlyThenCommitted() {
        AtomicInteger attempts = new AtomicInteger();
        List<List<String>> seen = new CopyOnWriteArrayList<>();
        receiver.start(records -> {
            seen.add(records.stream().map(ConsumerRecord::value).toList());
            return attempts.incrementAndGet() < 3 ? Mono.error(new IllegalStateException("redis down")) : Mono.empty();
        });
        receiver.ready().block(Duration.ofSeconds(5));
        add(0, "a");

        await().atMost(Duration.ofSeconds(5))
                .until(() -> committed() != null && committed().offset() == 1);
        assertThat(seen).containsExactly(List.of("a"), List.of("a"), List.of("a"));
        assertThat(receiver.retries()).isEqualTo(2);
    }

    @Test
    void batchesAreHandledOneAtATimeInOffsetOrder() {
        List<String> order = new CopyOnWriteArrayList<>();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        // The handler leaves "in flight" before its Mono completes: the receiver may start the next
        // batch as soon as it sees the completion, before a doFinally of this one would run.
        receiver.start(records -> Mono.defer(() -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            records.forEach(r -> order.add(r.value()));
            return Mono.delay(Duration.ofMillis(20)).then(Mono.fromRunnable(inFlight::decrementAndGet));
        }));
        receiver.ready().block(Duration.ofSeconds(5));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int offset = i;
            consumer.schedulePollTask(() -> add(offset, "r" + offset));
            expected.add("r" + i);
        }

        await().atMost(Duration.ofSeconds(10))
                .until(() -> committed() != null && committed().offset() == 50);
        assertThat(order).containsExactlyElementsOf(expected);
        assertThat(maxInFlight).hasValue(1);
    }

    @Test
    void meterTheTimeEachRecordWaitedAndEachBatchTook() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        KafkaMeters.bind(receiver, meters);
        receiver.start(records -> Mono.delay(Duration.ofMillis(50)).then());
        receiver.ready().block(Duration.ofSeconds(5));
        long producedAt = System.currentTimeMillis() - 1_000;
        // Both records in one poll, so they make one batch (added from this thread, the poll thread
        // could take the first alone).
        consumer.schedulePollTask(() -> {
            consumer.addRecord(record(0, producedAt, "a"));
            consumer.addRecord(record(1, producedAt, "b"));
        });

        await().until(() -> committed() != null && committed().offset() == 2);
        Timer waited = meters.get(KafkaMeters.CONSUMER_WAIT.meterName())
                .tag("receiver", "test")
                .timer();
        Timer batch = meters.get(KafkaMeters.CONSUMER_BATCH.meterName())
                .tag("receiver", "test")
                .timer();
        assertThat(waited.count()).isEqualTo(2);
        assertThat(waited.max(TimeUnit.MILLISECONDS)).isBetween(1_000.0, 10_000.0);
        assertThat(batch.count()).isEqualTo(1);
        assertThat(batch.totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(50.0);
    }

    @Test
    void aBatchThatDoesNotCompleteIsReportedOnceAndSoIsItsLateCompletion() {
        Sinks.One<Void> finish = Sinks.one();
        receiver.warnOfStallsAfter(Duration.ofMillis(300));
        try (var logs = LogCapture.of(KafkaReceiver.class)) {
            receiver.start(records -> finish.asMono());
            receiver.ready().block(Duration.ofSeconds(5));
            add(0, "a");

            assertThat(reportedOnce(logs, "in flight").getFormattedMessage()).contains("a batch of 1");

            finish.tryEmitEmpty();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> committed() != null && committed().offset() == 1);
            assertThat(logs.matching("reported stalled completed")).hasSize(1);
        }
    }

    @Test
    void aBatchGivenUpOnInARebalanceIsCancelledAndItsRecordsAreReadAgainOnThePartitionThatStays() {
        TopicPartition p1 = new TopicPartition(TOPIC, 1);
        withPartitions(consumer, 2);
        receiver.close();
        receiver = KafkaReceiver.of(consumer, "test", List.of(TOPIC), null);
        receiver.giveUpOnBatchesAfter(Duration.ofMillis(200));
        AtomicBoolean cancelled = new AtomicBoolean();
        List<List<String>> batches = new CopyOnWriteArrayList<>();
        receiver.start(records -> {
            batches.add(records.stream().map(ConsumerRecord::value).toList());
            return batches.size() == 1 ? Mono.<Void>never().doOnCancel(() -> cancelled.set(true)) : Mono.empty();
        });
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0, p1));
            add(0, "a");
            consumer.addRecord(new ConsumerRecord<>(TOPIC, 1, 0, "k", "x"));
        });
        await().until(() -> batches.size() == 1);

        // Partition 1 moves to another member while the batch hangs; partition 0 stays here (a
        // cooperative rebalance). The broker still has record 0 of partition 0.
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            add(0, "a");
        });

        await().atMost(Duration.ofSeconds(5)).until(cancelled::get);
        await().atMost(Duration.ofSeconds(5)).until(() -> batches.size() == 2);
        assertThat(batches.get(1)).containsExactly("a");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> committed() != null && committed().offset() == 1);
    }

    @Test
    void noBatchIsHandedOverOnceCloseWasRequested() throws Exception {
        LateWakeup late = new LateWakeup();
        withPartitions(late, 1);
        receiver.close();
        receiver = KafkaReceiver.of(late, "test", null, TOPIC);
        // close() is requested while the poll thread runs the first batch's completion (its commit),
        // after the loop last looked at running: the poll that would follow must not happen.
        late.closeAtFirstCommit(receiver);
        List<String> handedOver = new CopyOnWriteArrayList<>();
        receiver.start(records -> {
            records.forEach(r -> handedOver.add(r.value()));
            return Mono.empty();
        });
        receiver.ready().block(Duration.ofSeconds(5));
        // From then on the first batch's commit is due as soon as it is handled.
        await().pollDelay(Duration.ofMillis(KafkaReceiver.COMMIT_INTERVAL_MS)).until(() -> true);
        late.schedulePollTask(() -> late.addRecord(new ConsumerRecord<>(TOPIC, 0, 0, "k", "a")));
        late.schedulePollTask(() -> late.addRecord(new ConsumerRecord<>(TOPIC, 0, 1, "k", "b")));

        late.awaitClosedThenWake();

        assertThat(handedOver).containsExactly("a");
    }

    @Test
    void aBatchThatFailsWhileTheReceiverClosesIsRewoundToItsStart() throws Exception {
        LateWakeup late = new LateWakeup();
        withPartitions(late, 1);
        receiver.close();
        receiver = KafkaReceiver.of(late, "test", null, TOPIC);
        // The poll thread waits for the batch instead of polling paused partitions meanwhile.
        receiver.pauseSlowBatchesAfter(Duration.ofMinutes(1));
        Sinks.One<Void> outcome = Sinks.one();
        AtomicBoolean handedOver = new AtomicBoolean();
        receiver.start(records -> {
            handedOver.set(true);
            return outcome.asMono();
        });
        receiver.ready().block(Duration.ofSeconds(5));
        late.schedulePollTask(() -> {
            late.addRecord(new ConsumerRecord<>(TOPIC, 0, 0, "k", "a"));
            late.addRecord(new ConsumerRecord<>(TOPIC, 0, 1, "k", "b"));
        });
        await().atMost(Duration.ofSeconds(5)).until(handedOver::get);
        awaitPollThreadWaitingForTheBatch();
        late.seeks.clear(); // MockConsumer's own, to the beginning offset when the partition was assigned

        late.requestClose(receiver);
        // Not retried (the receiver is closing): the batch completes as failed.
        outcome.tryEmitError(new IllegalStateException("redis down"));
        late.awaitClosedThenWake();

        assertThat(late.seeks).containsExactly(0L);
        assertThat(late.commits).isEmpty();
    }

    /** Until the poll thread is parked for the batch in flight to complete (receiver "test"). */
    private static void awaitPollThreadWaitingForTheBatch() {
        await().atMost(Duration.ofSeconds(5))
                .until(() -> Thread.getAllStackTraces().keySet().stream()
                        .anyMatch(t -> t.getName().equals("kafka-receiver-test")
                                && LockSupport.getBlocker(t) instanceof TaskInbox));
    }

    /**
     * A consumer whose {@code wakeup()} from {@code close()} comes late, as if the closing thread were
     * preempted between telling the poll thread to stop and waking it: {@code close()} has cleared
     * {@code running}, the poll thread has not been woken.
     */
    private static final class LateWakeup extends MockConsumer<String, String> {
        final List<Long> seeks = new CopyOnWriteArrayList<>();
        final List<Long> commits = new CopyOnWriteArrayList<>();
        private final CountDownLatch closeRequested = new CountDownLatch(1);
        private final CountDownLatch wake = new CountDownLatch(1);
        private volatile Thread closer;
        private volatile KafkaReceiver<String, String> closeAtFirstCommit;

        LateWakeup() {
            super("earliest");
        }

        void closeAtFirstCommit(KafkaReceiver<String, String> receiver) {
            this.closeAtFirstCommit = receiver;
        }

        /** Calls {@code receiver.close()} on another thread; returns once it has cleared running. */
        void requestClose(KafkaReceiver<String, String> receiver) throws InterruptedException {
            closer = new Thread(receiver::close, "closer");
            closer.start();
            assertThat(closeRequested.await(5, TimeUnit.SECONDS)).isTrue();
        }

        /** Waits for the poll thread to close the consumer, then lets {@code close()} go on. */
        void awaitClosedThenWake() throws InterruptedException {
            await().atMost(Duration.ofSeconds(10)).until(this::closed);
            wake.countDown();
            closer.join(5_000);
        }

        @Override
        public void wakeup() { // not synchronized: the poll thread goes on meanwhile
            if (Thread.currentThread() == closer) {
                closeRequested.countDown();
                try {
                    wake.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            super.wakeup();
        }

        @Override
        public void commitAsync(
                Map<TopicPartition, OffsetAndMetadata> offsets,
                org.apache.kafka.clients.consumer.OffsetCommitCallback callback) {
            KafkaReceiver<String, String> receiver = closeAtFirstCommit;
            if (receiver != null) {
                closeAtFirstCommit = null;
                try {
                    requestClose(receiver);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            commits.add(offsets.get(P0).offset());
            super.commitAsync(offsets, callback);
        }

        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            commits.add(offsets.get(P0).offset());
            super.commitSync(offsets);
        }

        @Override
        public synchronized void seek(TopicPartition partition, long offset) {
            seeks.add(offset);
            super.seek(partition, offset);
        }
    }

    @Test
    void aTransientPollErrorDoesNotStopTheReceiver() {
        List<String> seen = new CopyOnWriteArrayList<>();
        receiver.start(records -> {
            records.forEach(r -> seen.add(r.value()));
            return Mono.empty();
        });
        receiver.ready().block(Duration.ofSeconds(5));
        consumer.setPollException(new TimeoutException("the broker is slow"));

        add(0, "a");

        await().atMost(Duration.ofSeconds(5))
                .until(() -> committed() != null && committed().offset() == 1);
        assertThat(seen).containsExactly("a");
    }

    @Test
    void aPollErrorThatIsNotRetriableStopsTheReceiverWhichItsHealthAndLagMetersTell() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        KafkaMeters.bind(receiver, meters);
        HealthIndicator health =
                (HealthIndicator) KafkaHealth.of(List.of(receiver), List.of()).getContributor("test");
        assertThat(health.health().getStatus()).isEqualTo(Status.UNKNOWN);
        receiver.start(records -> Mono.empty());
        receiver.ready().block(Duration.ofSeconds(5));
        Gauge lag = awaitLagGauge(meters);
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
        assertThat(lag.value()).isZero();
        Gauge failed = meters.get(KafkaMeters.CLIENT_FAILED.meterName())
                .tags("client", "test", "role", "receiver")
                .gauge();
        assertThat(failed.value()).isZero();

        consumer.setPollException(new TopicAuthorizationException(Set.of(TOPIC)));

        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.state() == KafkaWorker.State.FAILED);
        assertThat(receiver.failure()).containsInstanceOf(TopicAuthorizationException.class);
        Health stopped = health.health();
        assertThat(stopped.getStatus()).isEqualTo(Status.DOWN);
        assertThat(stopped.getDetails())
                .containsExactly(
                        entry("receiver", "test"),
                        entry("state", "failed"),
                        entry("error", TopicAuthorizationException.class.getName()));
        assertThat(lag.value()).isNaN();
        assertThat(failed.value()).as("what the alert watches").isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(consumer::closed);
        receiver.close();
        assertThat(receiver.state()).as("still failed after close()").isEqualTo(KafkaWorker.State.FAILED);
    }

    @Test
    void anErrorOnThePollThreadIsToldLikeAnyOtherFailure() {
        AtomicBoolean broken = new AtomicBoolean();
        MockConsumer<String, String> throwing = new MockConsumer<>("earliest") {
            @Override
            public synchronized ConsumerRecords<String, String> poll(Duration timeout) {
                if (broken.get()) {
                    throw new NoClassDefFoundError("org/example/MissingDeserializerDependency");
                }
                return super.poll(timeout);
            }
        };
        withPartitions(throwing, 1);
        receiver.close();
        receiver = KafkaReceiver.of(throwing, "test", null, TOPIC);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        KafkaMeters.bind(receiver, meters);
        try (var logs = LogCapture.of(KafkaReceiver.class)) {
            receiver.start(records -> Mono.empty());
            receiver.ready().block(Duration.ofSeconds(5));
            Gauge lag = awaitLagGauge(meters);

            broken.set(true);

            await().atMost(Duration.ofSeconds(5))
                    .until(() -> !logs.matching("stopped").isEmpty());
            ILoggingEvent report = logs.matching("stopped").get(0);
            assertThat(report.getLevel()).isEqualTo(Level.ERROR);
            assertThat(report.getFormattedMessage()).contains("NoClassDefFoundError");
            await().atMost(Duration.ofSeconds(5)).until(throwing::closed);
            assertThat(lag.value()).isNaN();
        }
    }

    @Test
    void closeAfterAFailureWaitsUntilThePollThreadHasCommittedTheBatchInFlight() {
        AtomicBoolean batchInFlight = new AtomicBoolean();
        List<Long> committedOffsets = new CopyOnWriteArrayList<>();
        MockConsumer<String, String> failing = new MockConsumer<>("earliest") {
            @Override
            public synchronized ConsumerRecords<String, String> poll(Duration timeout) {
                if (batchInFlight.get()) { // the poll made with every partition paused for the slow batch
                    throw new NoClassDefFoundError("org/example/MissingDeserializerDependency");
                }
                return super.poll(timeout);
            }

            @Override
            public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
                committedOffsets.add(offsets.get(P0).offset());
                super.commitSync(offsets);
            }
        };
        withPartitions(failing, 1);
        receiver.close();
        receiver = KafkaReceiver.of(failing, "test", null, TOPIC);
        receiver.pauseSlowBatchesAfter(Duration.ofMillis(50));
        Sinks.Empty<Void> handled = Sinks.empty();
        try (var logs = LogCapture.of(KafkaReceiver.class)) {
            receiver.start(records -> {
                batchInFlight.set(true);
                return handled.asMono();
            });
            receiver.ready().block(Duration.ofSeconds(5));
            failing.addRecord(new ConsumerRecord<>(TOPIC, 0, 0, "k", "a"));
            await().atMost(Duration.ofSeconds(5)).until(() -> receiver.state() == KafkaWorker.State.FAILED);
            Schedulers.parallel().schedule(handled::tryEmitEmpty, 300, TimeUnit.MILLISECONDS);

            receiver.close(); // as Spring does at shutdown, before closing what the handler uses

            assertThat(committedOffsets).as("committed when close() returned").contains(1L);
        }
    }

    /** The lag gauge of partition 0, registered after the receiver's first poll. */
    private static Gauge awaitLagGauge(SimpleMeterRegistry meters) {
        await().atMost(Duration.ofSeconds(5))
                .until(() -> meters.find(KafkaMeters.CONSUMER_LAG.meterName()).gauge() != null);
        return meters.get(KafkaMeters.CONSUMER_LAG.meterName())
                .tag("partition", "0")
                .gauge();
    }

    @Test
    void aGroupMemberLeftWithoutPartitionsIsReportedOnce() {
        receiver.close();
        receiver = KafkaReceiver.of(consumer, "test", List.of(TOPIC), null);
        receiver.warnOfStallsAfter(Duration.ofMillis(300));
        try (var logs = LogCapture.of(KafkaReceiver.class)) {
            // MockConsumer assigns nothing until told to: a rebalance that does not finish.
            receiver.start(records -> Mono.empty());

            assertThat(reportedOnce(logs, "no partitions").getFormattedMessage())
                    .contains("[t]");
        }
    }

    @Test
    void aQuickBatchOnAssignedPartitionsReportsNothing() {
        receiver.warnOfStallsAfter(Duration.ofMillis(100));
        try (var logs = LogCapture.of(KafkaReceiver.class)) {
            receiver.start(records -> Mono.empty());
            receiver.ready().block(Duration.ofSeconds(5));
            add(0, "a");

            await().atMost(Duration.ofSeconds(5))
                    .until(() -> committed() != null && committed().offset() == 1);
            await().pollDelay(Duration.ofMillis(600)).until(() -> true);
            assertThat(logs.matching("")).isEmpty();
        }
    }

    /**
     * Waits for the report containing {@code text}, then checks that it is one, at WARN, after a
     * second more (the receiver polls every half second meanwhile).
     */
    private static ILoggingEvent reportedOnce(LogCapture logs, String text) {
        await().atMost(Duration.ofSeconds(5)).until(() -> !logs.matching(text).isEmpty());
        await().pollDelay(Duration.ofSeconds(1)).until(() -> true);
        assertThat(logs.matching(text)).hasSize(1);
        ILoggingEvent report = logs.matching(text).get(0);
        assertThat(report.getLevel()).isEqualTo(Level.WARN);
        return report;
    }

    /**
     * Handlers complete on whatever thread their last operator ran on, in the services a Lettuce or
     * Netty event loop: handing the completion to the poll thread must never park that thread. A
     * park there stalls every connection of the loop and, under BlockHound in the end-to-end tests,
     * threw from inside a lock and wedged the receiver (its group then waited out
     * max.poll.interval.ms). A blocking call in the hand-over fails this test every time; the lock
     * contention of the earlier blocking queue is a race, which 100,000 batches caught in about half
     * the runs.
     */
    @Test
    void batchesCompletedOnANonBlockingThreadNeverParkIt() {
        List<String> blockedInReceiver = BlockingCalls.inReceiver();
        int batches = 100_000;
        // Reactor's parallel threads are non-blocking to BlockHound, as Netty's event loops are.
        // Each completes after a random few microseconds, so completions keep landing while the poll
        // thread is itself between taking and waiting for the next one.
        receiver.start(records -> Mono.<Void>fromRunnable(
                        () -> spinNanos(ThreadLocalRandom.current().nextLong(20_000)))
                .subscribeOn(Schedulers.parallel()));
        receiver.ready().block(Duration.ofSeconds(5));
        for (int i = 0; i < batches; i++) {
            add(i);
        }

        await().atMost(Duration.ofSeconds(60))
                .until(() -> committed() != null && committed().offset() == batches);
        assertThat(blockedInReceiver).isEmpty();
    }

    /** One record per poll, so each is a batch of its own. */
    private void add(long offset) {
        consumer.schedulePollTask(() -> add(offset, "v"));
    }

    private static void spinNanos(long nanos) {
        long until = System.nanoTime() + nanos;
        while (System.nanoTime() < until) {
            // busy: the completion must not leave the thread
        }
    }

    /** BlockHound, installed once for this JVM, recording (not throwing) blocking calls. */
    private static final class BlockingCalls {
        private static final List<String> IN_RECEIVER = new CopyOnWriteArrayList<>();

        static {
            // With Reactor's integration (found by install), which makes its parallel threads
            // non-blocking. Records instead of throwing: an error thrown from inside a lock's park
            // corrupts the lock.
            BlockHound.install(builder -> builder.blockingMethodCallback(method -> {
                boolean inReceiver = Arrays.stream(Thread.currentThread().getStackTrace())
                        .map(StackTraceElement::getClassName)
                        .anyMatch(type -> type.equals(KafkaReceiver.class.getName())
                                || type.startsWith(KafkaReceiver.class.getName() + "$"));
                if (inReceiver) {
                    IN_RECEIVER.add(Thread.currentThread().getName() + ": " + method);
                }
            }));
        }

        /** Blocking calls on non-blocking threads with the receiver on the stack, from now on. */
        static List<String> inReceiver() {
            return IN_RECEIVER;
        }
    }

    private static ConsumerRecord<String, String> record(long offset, long timestamp, String value) {
        return new ConsumerRecord<>(
                TOPIC,
                0,
                offset,
                timestamp,
                TimestampType.CREATE_TIME,
                0,
                0,
                "k",
                value,
                new RecordHeaders(),
                Optional.empty());
    }
}
