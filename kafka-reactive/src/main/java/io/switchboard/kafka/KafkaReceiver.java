package io.switchboard.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.util.retry.Retry;

/**
 * Consumes Kafka records in batches with at-least-once delivery.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li><b>Commit after processing.</b> A batch's offsets are committed only after its
 *       {@link BatchHandler}'s Mono completed. Commits are coalesced: at most one every
 *       {@value #COMMIT_INTERVAL_MS} ms (and always before partitions are taken away or the receiver
 *       closes), so a crash redelivers at most that much more than the batch in flight. Handlers must
 *       be idempotent, as for any at-least-once consumer.
 *   <li><b>Never skips.</b> A failed batch is handed over again, with exponential backoff (100 ms
 *       doubling to 10 s), for as long as the receiver runs; one that fails while the receiver
 *       closes is rewound to its start and nothing after it is handed out or committed. Skipping a
 *       poison record is the handler's decision.
 *   <li><b>Order and backpressure.</b> At most one batch is in flight, so records are handled in
 *       offset order per partition and memory stays bounded by {@code max.poll.records} plus what
 *       the consumer prefetches. While a batch is in flight the consumer is not polled (its next
 *       fetch, sent when the batch was returned, is buffered meanwhile); a batch still in flight
 *       after {@value #PAUSE_AFTER_MS} ms has every partition paused and the consumer polled again,
 *       so it keeps taking part in rebalances and stays in its group however long the batch retries.
 *   <li><b>Rebalance.</b> Before partitions are taken away, the batch in flight is allowed to finish
 *       (bounded by the close timeout) and its offsets are committed.
 *   <li><b>A failure is told, not hidden.</b> A poll error that is not retriable, or any other error on
 *       the poll thread, ends it: the batch in flight is finished as at {@link #close()}, the
 *       consumer is closed, and {@link #state()} is {@link State#FAILED} from then on (lag meters
 *       read NaN). It is not restarted ({@link KafkaWorker} says why).
 * </ul>
 *
 * One thread per receiver owns the {@code KafkaConsumer} (which is not thread-safe); other threads
 * reach it only through a task queue, which never blocks the thread handing a task over (handlers
 * complete on event loops).
 */
public final class KafkaReceiver<K, V> implements KafkaWorker, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaReceiver.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);
    private static final Duration MAX_RETRY = Duration.ofSeconds(10);
    /**
     * Each commit is a write to the group coordinator; committing every small batch cost more broker
     * CPU than the records themselves at moderate rates.
     */
    static final long COMMIT_INTERVAL_MS = 100;
    /**
     * Pausing and resuming every partition around each batch makes the consumer rebuild its fetch
     * session each time; only batches slower than this are worth it.
     */
    static final long PAUSE_AFTER_MS = 250;
    /**
     * A batch in flight this long, or a group member this long without partitions, is reported in
     * the log: records are waiting and nothing else would say so (a retried batch logs each retry;
     * a batch that never completes, or a rebalance that does not finish, would be silent).
     */
    static final Duration STALL_WARNING_AFTER = Duration.ofSeconds(10);

    private final String name;
    private final Consumer<K, V> consumer;
    private final Collection<String> subscribeTo;
    private final String assignAllOf;
    /**
     * Completions handed to the poll thread; handlers complete on event loops, so handing over must
     * never park. One batch is in flight at a time, so it holds at most one completion.
     */
    private final TaskInbox tasks = new TaskInbox();

    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong recordsProcessed = new AtomicLong();
    private final AtomicLong batchesCommitted = new AtomicLong();
    private volatile boolean running;
    private volatile State state = State.NEW;
    private volatile Throwable failure;
    private volatile long lag;
    private volatile Map<TopicPartition, Long> lagByPartition = Map.of();
    private volatile java.util.function.Consumer<Map<TopicPartition, Long>> lagListener = lags -> {};
    private volatile BatchObserver batchObserver = BatchObserver.NONE;
    private volatile Duration stallWarningAfter = STALL_WARNING_AFTER;
    /** How long a rebalance or close waits for the batch in flight before giving up on it. */
    private volatile Duration inFlightTimeout = CLOSE_TIMEOUT;
    /** How long a batch may be in flight before the consumer is polled with every partition paused. */
    private volatile Duration pauseAfter = Duration.ofMillis(PAUSE_AFTER_MS);

    private Thread thread;
    private BatchHandler<K, V> handler;
    private InFlight inFlight;
    /** True while a slow batch is in flight and the consumer is polled with every partition paused. */
    private volatile boolean pausedForSlowBatch;
    /** Offsets of handled batches not committed yet, with their record and batch counts (poll thread only). */
    private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();

    private int uncommittedRecords;
    private int uncommittedBatches;
    private long lastCommitNanos = System.nanoTime();
    /** When this group member was last seen with partitions, or started (poll thread only). */
    private long lastAssignedNanos = System.nanoTime();

    private boolean warnedUnassigned;
    /** Polls failed in a row with a retriable error (poll thread only). */
    private int pollFailures;

    /** The batch being processed and the offsets to commit once it is. */
    private final class InFlight {
        final Map<TopicPartition, OffsetAndMetadata> offsets;
        /** Where the batch starts on each partition: read from here again if it is given up on. */
        final Map<TopicPartition, Long> firstOffsets;

        final int size;
        final CompletableFuture<Boolean> done = new CompletableFuture<>();
        final long startNanos = System.nanoTime();
        volatile Disposable handling;
        boolean warnedStalled;

        InFlight(Map<TopicPartition, OffsetAndMetadata> offsets, Map<TopicPartition, Long> firstOffsets, int size) {
            this.offsets = offsets;
            this.firstOffsets = firstOffsets;
            this.size = size;
        }
    }

    private KafkaReceiver(String name, Consumer<K, V> consumer, Collection<String> subscribeTo, String assignAllOf) {
        this.name = name;
        this.consumer = consumer;
        this.subscribeTo = subscribeTo;
        this.assignAllOf = assignAllOf;
    }

    /** A receiver in consumer group {@code group.id} (from {@code config}) over {@code topics}. */
    public static <K, V> KafkaReceiver<K, V> subscribe(
            Map<String, Object> config, String name, Collection<String> topics) {
        return new KafkaReceiver<>(name, new KafkaConsumer<>(manualCommit(config)), List.copyOf(topics), null);
    }

    /**
     * A receiver of every partition of {@code topic}, without group membership: for a reader that is
     * alone on its topic (a gateway node). Offsets are still committed under {@code group.id}.
     */
    public static <K, V> KafkaReceiver<K, V> assignAll(Map<String, Object> config, String name, String topic) {
        return new KafkaReceiver<>(name, new KafkaConsumer<>(manualCommit(config)), null, topic);
    }

    /** With a ready-made consumer (for tests with Kafka's {@code MockConsumer}). */
    static <K, V> KafkaReceiver<K, V> of(
            Consumer<K, V> consumer, String name, Collection<String> subscribeTo, String assignAllOf) {
        return new KafkaReceiver<>(name, consumer, subscribeTo, assignAllOf);
    }

    private static Map<String, Object> manualCommit(Map<String, Object> config) {
        Map<String, Object> c = new HashMap<>(config);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // One batch is in flight at a time, so a batch's fixed costs (a Redis round trip per
        // recipient group, a produce, a commit) are paid per batch: bigger batches carry more load.
        c.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        return c;
    }

    /** Starts the poll thread; {@code handler} gets every batch. Call once. */
    public synchronized void start(BatchHandler<K, V> handler) {
        if (thread != null) {
            throw new IllegalStateException("receiver " + name + " already started");
        }
        this.handler = handler;
        this.running = true;
        this.state = State.RUNNING;
        this.thread = new Thread(this::run, "kafka-receiver-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Completes once the receiver has its partitions and knows where it reads from: a record
     * produced after that is received.
     */
    public Mono<Void> ready() {
        return Mono.fromFuture(ready, true);
    }

    private void run() {
        try {
            join();
            while (running) {
                runTasks();
                if (inFlight != null && !pausedForSlowBatch && !awaitInFlight()) {
                    continue;
                }
                if (!running) {
                    // close() came while the tasks ran (it may not have woken the consumer yet): a
                    // poll now would hand out a batch that close() no longer waits for.
                    break;
                }
                ConsumerRecords<K, V> records;
                try {
                    records = consumer.poll(pollTimeout());
                } catch (WakeupException e) {
                    continue;
                } catch (KafkaException e) {
                    if (!isTransient(e)) {
                        throw e;
                    }
                    // A slow broker (a timeout, in the rebalance callback too): try again rather than
                    // leave this service without a consumer.
                    pollFailures++;
                    long backoffMillis =
                            Math.min(MAX_RETRY.toMillis(), POLL_TIMEOUT.toMillis() << Math.min(pollFailures - 1, 5));
                    log.warn(
                            "Kafka receiver {}: poll failed ({} in a row), retrying in {} ms: {}",
                            name,
                            pollFailures,
                            backoffMillis,
                            e.toString());
                    if (inFlight != null && pausedForSlowBatch) {
                        consumer.pause(consumer.assignment()); // partitions assigned by the failed poll
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoffMillis));
                    continue;
                }
                pollFailures = 0;
                if (!ready.isDone() && !consumer.assignment().isEmpty()) {
                    ready.complete(null); // the assignment callback failed before it could say so
                }
                if (!records.isEmpty()) {
                    dispatch(records);
                }
                Set<TopicPartition> assignment = consumer.assignment(); // a copy: taken once per poll
                updateLag(assignment);
                commitIfDue();
                warnIfStalled(assignment);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (running) { // nothing here interrupts this thread: whatever did, it stopped the receiver
                failed(e);
            }
        } catch (Throwable e) { // an Error too: this thread is the receiver, nobody else would tell
            failed(e);
        } finally {
            try {
                finishInFlight();
            } catch (RuntimeException e) {
                log.warn("Kafka receiver {}: finishing the batch in flight failed: {}", name, e.toString());
            }
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                log.warn("closing Kafka receiver {}: {}", name, e.toString());
            }
            if (state != State.FAILED) {
                state = State.CLOSED;
            }
            ready.completeExceptionally(new IllegalStateException("Kafka receiver " + name + " closed"));
        }
    }

    /** The poll thread ends on {@code error}; said at once, before the batch in flight is waited for. */
    private void failed(Throwable error) {
        failure = error;
        state = State.FAILED;
        running = false; // the batch in flight stops retrying: nothing would commit it
        ready.completeExceptionally(error);
        log.error(
                "Kafka receiver {} stopped, not restarted: {} (its records wait in Kafka until the process is"
                        + " restarted)",
                name,
                error.toString(),
                error);
    }

    /** An error the next poll may not have: the client's retriable ones, also when a rebalance callback threw them. */
    private static boolean isTransient(KafkaException e) {
        return e instanceof RetriableException || e.getCause() instanceof RetriableException;
    }

    /**
     * Waits for the batch in flight to complete, for up to {@link #PAUSE_AFTER_MS}. Returns true
     * when the consumer should be polled now: the batch is slow, so every partition has been paused.
     */
    private boolean awaitInFlight() throws InterruptedException {
        long deadline = System.nanoTime() + pauseAfter.toNanos();
        Runnable task;
        // A completion or close() wakes this thread; close() has it look at running.
        while ((task = tasks.poll(deadline - System.nanoTime())) == null
                && running
                && deadline - System.nanoTime() > 0) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
        if (task != null) {
            task.run();
            return false;
        }
        if (!running) {
            return false;
        }
        pausedForSlowBatch = true; // from now on a completion wakes the consumer up
        consumer.pause(consumer.assignment());
        // A completion that came just before the flag was set did not wake anyone: look again.
        return tasks.isEmpty();
    }

    private Duration pollTimeout() {
        if (uncommitted.isEmpty()) {
            return POLL_TIMEOUT;
        }
        long dueInMillis = COMMIT_INTERVAL_MS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastCommitNanos);
        return Duration.ofMillis(Math.max(0, Math.min(POLL_TIMEOUT.toMillis(), dueInMillis)));
    }

    private void join() {
        if (assignAllOf != null) {
            List<PartitionInfo> partitions = consumer.partitionsFor(assignAllOf, Duration.ofSeconds(30));
            if (partitions == null || partitions.isEmpty()) {
                throw new IllegalStateException("topic " + assignAllOf + " does not exist");
            }
            List<TopicPartition> all = partitions.stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(all);
            all.forEach(consumer::position);
            ready.complete(null);
        } else {
            consumer.subscribe(subscribeTo, new Rebalance());
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            finishInFlight();
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // First: if looking up positions times out, the poll is retried with these paused too.
            if (inFlight != null && pausedForSlowBatch) {
                consumer.pause(partitions);
            }
            partitions.forEach(consumer::position);
            ready.complete(null);
        }
    }

    private void dispatch(ConsumerRecords<K, V> records) {
        List<ConsumerRecord<K, V>> batch = new ArrayList<>(records.count());
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        Map<TopicPartition, Long> firstOffsets = new HashMap<>();
        for (ConsumerRecord<K, V> record : records) {
            batch.add(record);
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            offsets.put(partition, new OffsetAndMetadata(record.offset() + 1));
            firstOffsets.putIfAbsent(partition, record.offset());
        }
        InFlight current = new InFlight(offsets, firstOffsets, batch.size());
        inFlight = current;
        BatchObserver observer = batchObserver;
        long nowMillis = System.currentTimeMillis();
        for (ConsumerRecord<K, V> record : batch) {
            observer.waited(Math.max(0, nowMillis - record.timestamp()));
        }
        long startNanos = System.nanoTime();
        Disposable handling = Mono.defer(() -> handler.handle(batch))
                .retryWhen(Retry.backoff(Long.MAX_VALUE, FIRST_RETRY)
                        .maxBackoff(MAX_RETRY)
                        .filter(e -> running)
                        .doBeforeRetry(signal -> {
                            retries.incrementAndGet();
                            log.warn(
                                    "Kafka receiver {}: batch of {} failed (attempt {}), retrying: {}",
                                    name,
                                    batch.size(),
                                    signal.totalRetries() + 1,
                                    signal.failure().toString());
                        }))
                .doFinally(signal -> {
                    if (signal != SignalType.CANCEL) { // a batch given up on was not handled
                        observer.handled(batch.size(), System.nanoTime() - startNanos);
                    }
                })
                .subscribe(null, error -> completed(current, false), () -> completed(current, true));
        current.handling = handling;
    }

    /** Called on whatever thread the handler completed on: hand the commit to the poll thread. */
    private void completed(InFlight batch, boolean success) {
        batch.done.complete(success);
        tasks.offer(() -> handled(batch));
        if (pausedForSlowBatch) {
            try {
                consumer.wakeup();
            } catch (RuntimeException e) {
                // the consumer is already closed: nothing left to wake
            }
        }
    }

    private void handled(InFlight batch) {
        if (inFlight != batch) {
            return; // already committed during a rebalance
        }
        inFlight = null;
        if (batch.warnedStalled) {
            log.info(
                    "Kafka receiver {}: the batch of {} reported stalled completed after {} ms",
                    name,
                    batch.size,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - batch.startNanos));
        }
        if (batch.done.join()) {
            keepForCommit(batch);
        } else {
            // Failed only once the receiver closes (until then it is retried). Its records must be
            // read again by whoever polls next, never committed past by a later batch.
            giveUp(batch);
        }
        if (pausedForSlowBatch) {
            pausedForSlowBatch = false;
            consumer.resume(consumer.paused());
        }
        commitIfDue();
    }

    /** A handled batch's offsets join the next commit; poll thread only. */
    private void keepForCommit(InFlight batch) {
        uncommitted.putAll(batch.offsets);
        uncommittedRecords += batch.size;
        uncommittedBatches++;
    }

    private void commitIfDue() {
        if (!uncommitted.isEmpty()
                && System.nanoTime() - lastCommitNanos >= TimeUnit.MILLISECONDS.toNanos(COMMIT_INTERVAL_MS)) {
            commit(false);
        }
    }

    /** Commits the offsets of every handled batch; poll thread only. */
    private void commit(boolean sync) {
        lastCommitNanos = System.nanoTime();
        if (uncommitted.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> owned = new HashMap<>(uncommitted);
        owned.keySet().retainAll(consumer.assignment());
        int records = uncommittedRecords;
        int batches = uncommittedBatches;
        uncommitted.clear();
        uncommittedRecords = 0;
        uncommittedBatches = 0;
        if (owned.isEmpty()) {
            return;
        }
        if (sync) {
            try {
                consumer.commitSync(owned);
            } catch (WakeupException e) {
                // The wakeup was meant for a poll (a completion of a slow batch, or close()), and
                // the consumer throws it at the next blocking call: it must not cost this commit.
                consumer.commitSync(owned);
            }
            countCommitted(records, batches);
        } else {
            // The callback runs on this thread, in a later poll or commit.
            consumer.commitAsync(owned, (committed, error) -> {
                if (error != null) {
                    // Not fatal: the records are redelivered and handlers are idempotent. Not retried
                    // either: a retry could land after a later commit and move the offset back.
                    log.warn("Kafka receiver {}: commit failed: {}", name, error.toString());
                } else {
                    countCommitted(records, batches);
                }
            });
        }
    }

    private void countCommitted(int records, int batches) {
        recordsProcessed.addAndGet(records);
        batchesCommitted.addAndGet(batches);
    }

    /**
     * Waits (bounded) for the batch in flight, then commits everything handled synchronously; poll
     * thread only.
     */
    private void finishInFlight() {
        InFlight batch = inFlight;
        if (batch != null) {
            inFlight = null;
            boolean handled = false;
            try {
                handled = batch.done.get(inFlightTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                log.warn(
                        "Kafka receiver {}: batch of {} in flight not finished, it is cancelled and will be read"
                                + " again: {}",
                        name,
                        batch.size,
                        e.toString());
            }
            if (handled) {
                keepForCommit(batch);
            } else {
                try {
                    giveUp(batch);
                } catch (RuntimeException e) {
                    // the consumer must still be closed (run's finally), and is left to the group
                    log.warn("Kafka receiver {}: rewinding a batch given up on failed: {}", name, e.toString());
                }
            }
        }
        tasks.clear(); // completions of batches already settled above
        try {
            commit(true);
        } catch (RuntimeException e) {
            log.warn("Kafka receiver {}: final commit failed, the records will be redelivered: {}", name, e.toString());
        }
        pausedForSlowBatch = false;
        try {
            consumer.resume(consumer.paused());
        } catch (IllegalStateException e) {
            // not subscribed any more
        }
    }

    /**
     * Stops a batch that will not be committed and rewinds its partitions to its start (in a
     * revocation callback, also those about to leave: harmless). Without both, it would go on in the
     * background (retried, beside the next batch), and on a partition still assigned after a
     * cooperative rebalance the batches after it would be committed past records it never handled.
     * Cancelling stops the handler's Mono; a call it already made (a Redis script, a produce) may
     * still complete, which the idempotent stages absorb when the records are read again.
     */
    private void giveUp(InFlight batch) {
        Disposable handling = batch.handling;
        if (handling != null) {
            handling.dispose();
        }
        Set<TopicPartition> assigned = consumer.assignment();
        batch.firstOffsets.forEach((partition, first) -> {
            if (assigned.contains(partition)) {
                consumer.seek(partition, first);
            }
        });
    }

    /** Reports, once each, a batch in flight and a group membership without partitions for too long. */
    private void warnIfStalled(Set<TopicPartition> assignment) {
        long now = System.nanoTime();
        long after = stallWarningAfter.toNanos();
        InFlight batch = inFlight;
        if (batch != null && !batch.warnedStalled && now - batch.startNanos >= after) {
            batch.warnedStalled = true;
            log.warn(
                    "Kafka receiver {}: a batch of {} has been in flight for {} ms; its partitions are paused until"
                            + " it completes (retries: {})",
                    name,
                    batch.size,
                    TimeUnit.NANOSECONDS.toMillis(now - batch.startNanos),
                    retries.get());
        }
        if (subscribeTo == null) {
            return;
        }
        if (!assignment.isEmpty()) {
            lastAssignedNanos = now;
            warnedUnassigned = false;
        } else if (!warnedUnassigned && now - lastAssignedNanos >= after) {
            warnedUnassigned = true;
            log.warn(
                    "Kafka receiver {}: no partitions of {} assigned for {} ms: the group's rebalance has not"
                            + " finished, or the group has more members than partitions",
                    name,
                    subscribeTo,
                    TimeUnit.NANOSECONDS.toMillis(now - lastAssignedNanos));
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
    }

    private void updateLag(Set<TopicPartition> assignment) {
        long total = 0;
        Map<TopicPartition, Long> byPartition = new HashMap<>(assignment.size() * 2);
        for (TopicPartition tp : assignment) {
            long partitionLag = consumer.currentLag(tp).orElse(0);
            byPartition.put(tp, partitionLag);
            total += partitionLag;
        }
        lag = total;
        lagByPartition = Collections.unmodifiableMap(byPartition);
        try {
            lagListener.accept(lagByPartition);
        } catch (RuntimeException e) {
            log.warn("Kafka receiver {}: lag listener failed: {}", name, e.toString());
        }
    }

    /**
     * Records not yet fetched per assigned partition, as last seen (for metrics); partitions not
     * assigned to this receiver are absent.
     */
    public Map<TopicPartition, Long> lagByPartition() {
        return lagByPartition;
    }

    /**
     * Called on the poll thread after every poll (at least every 500 ms) with {@link #lagByPartition};
     * it must be quick and must not call the receiver back. One listener; a later call replaces it.
     */
    public void onLag(java.util.function.Consumer<Map<TopicPartition, Long>> listener) {
        this.lagListener = listener;
    }

    /**
     * What a receiver tells about the batches it hands over, for metrics. Called on the receiver's
     * threads: implementations must be quick and must not call the receiver back.
     */
    public interface BatchObserver {
        BatchObserver NONE = new BatchObserver() {
            @Override
            public void waited(long millis) {}

            @Override
            public void handled(int records, long nanos) {}
        };

        /**
         * A record is handed to the handler {@code millis} after its Kafka timestamp (the producer's
         * clock, by default): its time in the topic and in this receiver.
         */
        void waited(long millis);

        /** A batch of {@code records} took the handler {@code nanos}, retries included. */
        void handled(int records, long nanos);
    }

    /** Reports stalls after {@code after} instead of {@link #STALL_WARNING_AFTER} (for tests). */
    void warnOfStallsAfter(Duration after) {
        this.stallWarningAfter = after;
    }

    /** How long a rebalance or close waits for the batch in flight (for tests; default 30 s). */
    void giveUpOnBatchesAfter(Duration after) {
        this.inFlightTimeout = after;
    }

    /** Pauses for slow batches after {@code after} instead of {@link #PAUSE_AFTER_MS} (for tests). */
    void pauseSlowBatchesAfter(Duration after) {
        this.pauseAfter = after;
    }

    /** One observer; a later call replaces it. */
    public void onBatch(BatchObserver observer) {
        this.batchObserver = observer;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** Records not yet fetched on the assigned partitions, as last seen (for metrics). */
    public long lag() {
        return lag;
    }

    /** Batch retries so far (for metrics). */
    public long retries() {
        return retries.get();
    }

    /**
     * Records counted once the commit carrying their batch's offsets succeeded (for metrics). A
     * failed commit is not retried and its records are not counted, even when a later commit on the
     * same partition covers them.
     */
    public long recordsProcessed() {
        return recordsProcessed.get();
    }

    /** Batches counted as {@link #recordsProcessed} counts their records. */
    public long batchesCommitted() {
        return batchesCommitted.get();
    }

    /** Stops polling, lets the batch in flight finish (bounded) and commits it, then closes. Idempotent. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            t = thread;
            running = false;
            if (t == null) {
                return;
            }
        }
        // Also after a failure (running was already false): the poll thread may still be finishing
        // the batch in flight and committing, and what shuts down after this receiver (its sender,
        // Redis) must wait for that.
        try {
            consumer.wakeup();
        } catch (RuntimeException e) {
            // the poll thread has already closed the consumer
        }
        LockSupport.unpark(t);
        try {
            t.join(CLOSE_TIMEOUT.plusSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
