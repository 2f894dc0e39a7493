package io.switchboard.kafka;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Sends records to Kafka from non-blocking code.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li><b>Durable on success.</b> The producer always runs with {@code acks=all} and idempotence: a
 *       returned Mono succeeds only once every in-sync replica has the record, and a retried
 *       request never writes it twice.
 *   <li><b>Never blocks the caller.</b> {@code KafkaProducer.send} can block (metadata, a full
 *       buffer), so it runs on one dedicated thread fed through a bounded, lock-free queue (handing a
 *       record over never parks the caller, even under contention). When the queue is full, the
 *       Mono fails at once with {@link KafkaSenderOverloadedException}.
 *   <li><b>Order.</b> Records are handed to the producer in the order their Monos are subscribed
 *       (one FIFO thread), so records to one partition are written in that order.
 *   <li><b>Lazy.</b> Nothing is sent until the Mono is subscribed; each subscription sends once more.
 *   <li><b>Always answered.</b> Every Mono completes: an {@link Error} in the producer stops the send
 *       thread for good ({@link #state()} FAILED), and the sends it leaves queued and every later
 *       one fail instead of waiting.
 * </ul>
 *
 * Results are signalled on the producer's network thread: downstream work must be short and
 * non-blocking (queue a frame, complete a batch), or move elsewhere with {@code publishOn}.
 */
public final class KafkaSender<K, V> implements KafkaWorker, AutoCloseable {

    public static final int DEFAULT_QUEUE_CAPACITY = 8192;

    private final String name;
    private final Producer<K, V> producer;
    private final SendThread sendThread;
    private final int queueCapacity;

    public KafkaSender(Map<String, Object> config, String name) {
        this(new KafkaProducer<>(durable(config)), name, DEFAULT_QUEUE_CAPACITY);
    }

    /** With a ready-made producer (for tests with Kafka's {@code MockProducer}). */
    public KafkaSender(Producer<K, V> producer, String name, int queueCapacity) {
        this.name = name;
        this.producer = producer;
        this.queueCapacity = queueCapacity;
        this.sendThread = new SendThread("kafka-sender-" + name, queueCapacity);
    }

    private static Map<String, Object> durable(Map<String, Object> config) {
        Map<String, Object> c = new HashMap<>(config);
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        c.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        c.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        return c;
    }

    /** Sends one record; succeeds with its metadata once Kafka acknowledged it. */
    public Mono<RecordMetadata> send(ProducerRecord<K, V> record) {
        return Mono.create(sink -> submit(
                sink,
                () -> producer.send(record, (metadata, error) -> {
                    if (error != null) {
                        sink.error(error);
                    } else {
                        sink.success(metadata);
                    }
                })));
    }

    /**
     * Sends records in list order; succeeds with their metadata (same order) once Kafka acknowledged
     * all of them, fails with the first error otherwise (some records may then be written: callers
     * rely on idempotent consumers, as for any retry).
     */
    public Mono<List<RecordMetadata>> sendAll(List<ProducerRecord<K, V>> records) {
        if (records.isEmpty()) {
            return Mono.just(List.of());
        }
        return Mono.create(sink -> submit(sink, () -> {
            RecordMetadata[] results = new RecordMetadata[records.size()];
            AtomicInteger pending = new AtomicInteger(records.size());
            for (int i = 0; i < results.length; i++) {
                int index = i;
                producer.send(records.get(i), (metadata, error) -> {
                    if (error != null) {
                        sink.error(error);
                    } else {
                        results[index] = metadata;
                        if (pending.decrementAndGet() == 0) {
                            sink.success(Arrays.asList(results));
                        }
                    }
                });
            }
        }));
    }

    private void submit(MonoSink<?> sink, Runnable send) {
        SendThread.Offer offer = sendThread.offer(send, sink::error);
        if (offer == SendThread.Offer.FULL) {
            sink.error(new KafkaSenderOverloadedException(name, queueCapacity));
        } else if (offer == SendThread.Offer.CLOSED) {
            sink.error(
                    state() == State.FAILED
                            ? new IllegalStateException(
                                    "Kafka sender '" + name + "' stopped after an error", sendThread.failure())
                            : new IllegalStateException("Kafka sender '" + name + "' is closed"));
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public State state() {
        return sendThread.state();
    }

    @Override
    public Optional<Throwable> failure() {
        return Optional.ofNullable(sendThread.failure());
    }

    /** Sends waiting in the hand-off queue, for metrics. */
    public int queued() {
        return sendThread.queued();
    }

    /** Stops taking sends, hands over those queued, flushes and closes the producer. */
    public void close(Duration timeout) {
        sendThread.close(timeout);
        producer.close(timeout);
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
