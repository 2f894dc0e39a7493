package io.switchboard.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Consumes Kafka records in batches with at-least-once delivery.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li><b>Commit after processing.</b> A batch's offsets are committed only after its
 *       {@link BatchHandler}'s Mono completed. A crash before that redelivers the batch.
 *   <li><b>Never skips.</b> A failed batch is handed over again, with exponential backoff (100 ms
 *       doubling to 10 s), for as long as the receiver runs. Skipping a poison record is the
 *       handler's decision.
 *   <li><b>Order and backpressure.</b> At most one batch is in flight. While it is, every assigned
 *       partition is paused (the consumer keeps polling, so it stays in its group, but fetches
 *       nothing), so records are handled in offset order per partition and memory stays bounded by
 *       {@code max.poll.records}.
 *   <li><b>Rebalance.</b> Before partitions are taken away, the batch in flight is allowed to finish
 *       (bounded by the close timeout) and its offsets are committed.
 * </ul>
 *
 * One thread per receiver owns the {@code KafkaConsumer} (which is not thread-safe); other threads
 * reach it only through a task queue.
 */
public final class KafkaReceiver<K, V> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaReceiver.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);
    private static final Duration MAX_RETRY = Duration.ofSeconds(10);

    private final String name;
    private final Consumer<K, V> consumer;
    private final Collection<String> subscribeTo;
    private final String assignAllOf;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong recordsProcessed = new AtomicLong();
    private final AtomicLong batchesCommitted = new AtomicLong();
    private volatile boolean running;
    private volatile long lag;
    private volatile Map<TopicPartition, Long> lagByPartition = Map.of();
    private volatile java.util.function.Consumer<Map<TopicPartition, Long>> lagListener = lags -> {};
    private Thread thread;
    private BatchHandler<K, V> handler;
    private InFlight inFlight;

    /** The batch being processed and the offsets to commit once it is. */
    private final class InFlight {
        final Map<TopicPartition, OffsetAndMetadata> offsets;
        final int size;
        final CompletableFuture<Boolean> done = new CompletableFuture<>();

        InFlight(Map<TopicPartition, OffsetAndMetadata> offsets, int size) {
            this.offsets = offsets;
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
                ConsumerRecords<K, V> records;
                try {
                    records = consumer.poll(POLL_TIMEOUT);
                } catch (WakeupException e) {
                    continue;
                }
                if (!records.isEmpty()) {
                    dispatch(records);
                }
                updateLag();
            }
        } catch (RuntimeException e) {
            ready.completeExceptionally(e);
            log.error("Kafka receiver {} stopped: {}", name, e.toString(), e);
        } finally {
            finishInFlight();
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                log.warn("closing Kafka receiver {}: {}", name, e.toString());
            }
        }
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
            partitions.forEach(consumer::position);
            if (inFlight != null) {
                consumer.pause(partitions);
            }
            ready.complete(null);
        }
    }

    private void dispatch(ConsumerRecords<K, V> records) {
        List<ConsumerRecord<K, V>> batch = new ArrayList<>(records.count());
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<K, V> record : records) {
            batch.add(record);
            offsets.put(
                    new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
        }
        InFlight current = new InFlight(offsets, batch.size());
        inFlight = current;
        consumer.pause(consumer.assignment());
        Mono.defer(() -> handler.handle(batch))
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
                .subscribe(null, error -> completed(current, false), () -> completed(current, true));
    }

    /** Called on whatever thread the handler completed on: hand the commit to the poll thread. */
    private void completed(InFlight batch, boolean success) {
        batch.done.complete(success);
        tasks.add(() -> commitAndResume(batch));
        try {
            consumer.wakeup();
        } catch (RuntimeException e) {
            // the consumer is already closed: nothing left to wake
        }
    }

    private void commitAndResume(InFlight batch) {
        if (inFlight != batch) {
            return; // already committed during a rebalance
        }
        inFlight = null;
        if (batch.done.join()) {
            commit(batch, false);
        }
        consumer.resume(consumer.paused());
    }

    private void commit(InFlight batch, boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> owned = new HashMap<>(batch.offsets);
        owned.keySet().retainAll(consumer.assignment());
        if (owned.isEmpty()) {
            return;
        }
        recordsProcessed.addAndGet(batch.size);
        batchesCommitted.incrementAndGet();
        if (sync) {
            consumer.commitSync(owned);
        } else {
            consumer.commitAsync(owned, (committed, error) -> {
                if (error != null) {
                    // Not fatal: the records are redelivered and handlers are idempotent.
                    log.warn("Kafka receiver {}: commit failed: {}", name, error.toString());
                }
            });
        }
    }

    /** Waits (bounded) for the batch in flight and commits it synchronously; poll thread only. */
    private void finishInFlight() {
        InFlight batch = inFlight;
        if (batch == null) {
            return;
        }
        inFlight = null;
        try {
            if (batch.done.get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                commit(batch, true);
            }
        } catch (Exception e) {
            log.warn("Kafka receiver {}: batch in flight not finished, it will be redelivered: {}", name, e.toString());
        }
        try {
            consumer.resume(consumer.paused());
        } catch (IllegalStateException e) {
            // not subscribed any more
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
    }

    private void updateLag() {
        long total = 0;
        Set<TopicPartition> assignment = consumer.assignment();
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

    /** This receiver's name, as given when it was created (used in logs, thread names and meters). */
    public String name() {
        return name;
    }

    /** Records not yet fetched on the assigned partitions, as last seen (for metrics). */
    public long lag() {
        return lag;
    }

    /** Batch retries so far (for metrics). */
    public long retries() {
        return retries.get();
    }

    /** Records whose batch was committed. */
    public long recordsProcessed() {
        return recordsProcessed.get();
    }

    public long batchesCommitted() {
        return batchesCommitted.get();
    }

    /** Stops polling, lets the batch in flight finish (bounded) and commits it, then closes. Idempotent. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            t = thread;
            if (t == null || !running) {
                running = false;
                return;
            }
            running = false;
        }
        consumer.wakeup();
        try {
            t.join(CLOSE_TIMEOUT.plusSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
