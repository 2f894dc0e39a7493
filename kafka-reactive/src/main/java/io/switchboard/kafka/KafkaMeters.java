package io.switchboard.kafka;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;

/**
 * The meters of our Kafka bridge; names are part of the operations contract (docs/metrics.md).
 * {@link #bind(KafkaReceiver, MeterRegistry)} and {@link #bind(KafkaSender, MeterRegistry)} publish
 * them for one receiver or sender.
 */
public enum KafkaMeters {
    /**
     * Gauge: records on a partition not yet fetched by this receiver (the consumer lag), tags
     * {@code receiver}, {@code topic}, {@code partition}. Present only while the partition is
     * assigned to this receiver; NaN once its poll thread has stopped (failed or closed), since
     * nobody measures it any more.
     */
    CONSUMER_LAG("switchboard.kafka.consumer.lag"),
    /** Function counter: batches handed to the handler again after a failure, tag {@code receiver}. */
    CONSUMER_RETRIES("switchboard.kafka.consumer.retries"),
    /**
     * Function counter: records whose batch was processed and committed, counted when Kafka confirmed
     * the commit (a failed commit's records are not counted), tag {@code receiver}.
     */
    CONSUMER_RECORDS("switchboard.kafka.consumer.records"),
    /**
     * Timer with histogram: from a record's Kafka timestamp (set by the producer) to its hand-over
     * to this receiver's handler, tag {@code receiver}. The time a message spends in one hop.
     */
    CONSUMER_WAIT("switchboard.kafka.consumer.wait"),
    /** Timer with histogram: how long the handler took for a batch, tag {@code receiver}. */
    CONSUMER_BATCH("switchboard.kafka.consumer.batch"),
    /**
     * Gauge: sends waiting in a sender's hand-off queue for the producer thread, tag {@code sender};
     * at the queue's capacity sends fail fast ({@code unavailable}).
     */
    SENDER_QUEUED("switchboard.kafka.sender.queued"),
    /**
     * Gauge: 1 once a receiver's poll thread or a sender's send thread has failed (it does no more
     * work and is not restarted, {@link KafkaWorker}), else 0; tags {@code client} and {@code role}
     * ({@code receiver} or {@code sender}). What an alert watches: a failed receiver's lag reads NaN,
     * which no threshold crosses.
     */
    CLIENT_FAILED("switchboard.kafka.client.failed");

    private final String meterName;

    KafkaMeters(String meterName) {
        this.meterName = meterName;
    }

    public String meterName() {
        return meterName;
    }

    /** Publishes {@code receiver}'s lag per partition (kept up to date as partitions come and go), retries and records. */
    public static void bind(KafkaReceiver<?, ?> receiver, MeterRegistry registry) {
        String name = receiver.name();
        bindFailed(receiver, "receiver", registry);
        io.micrometer.core.instrument.FunctionCounter.builder(
                        CONSUMER_RETRIES.meterName(), receiver, KafkaReceiver::retries)
                .tag("receiver", name)
                .register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder(
                        CONSUMER_RECORDS.meterName(), receiver, KafkaReceiver::recordsProcessed)
                .tag("receiver", name)
                .description("records whose batch was processed and whose commit Kafka confirmed")
                .register(registry);
        Timer waited = Timer.builder(CONSUMER_WAIT.meterName())
                .tag("receiver", name)
                .description("record timestamp to hand-over to the handler")
                .publishPercentileHistogram()
                .register(registry);
        Timer handled = Timer.builder(CONSUMER_BATCH.meterName())
                .tag("receiver", name)
                .description("handler time per batch")
                .publishPercentileHistogram()
                .register(registry);
        receiver.onBatch(new KafkaReceiver.BatchObserver() {
            @Override
            public void waited(long millis) {
                waited.record(millis, TimeUnit.MILLISECONDS);
            }

            @Override
            public void handled(int records, long nanos) {
                handled.record(nanos, TimeUnit.NANOSECONDS);
            }
        });
        Map<TopicPartition, Gauge> gauges = new ConcurrentHashMap<>();
        receiver.onLag(lags -> {
            for (TopicPartition tp : lags.keySet()) {
                gauges.computeIfAbsent(
                        tp,
                        p -> Gauge.builder(CONSUMER_LAG.meterName(), receiver, r -> lagOf(r, p))
                                .tag("receiver", name)
                                .tag("topic", p.topic())
                                .tag("partition", Integer.toString(p.partition()))
                                .description("records on the partition not yet fetched by this receiver")
                                .register(registry));
            }
            gauges.entrySet().removeIf(e -> {
                if (lags.containsKey(e.getKey())) {
                    return false;
                }
                registry.remove(e.getValue());
                return true;
            });
        });
    }

    /**
     * Without a poll thread the last value would stay put and pass for a live measurement; NaN says
     * that nobody measures any more.
     */
    private static double lagOf(KafkaReceiver<?, ?> receiver, TopicPartition partition) {
        if (receiver.state() != KafkaWorker.State.RUNNING) {
            return Double.NaN;
        }
        return receiver.lagByPartition().getOrDefault(partition, 0L);
    }

    /** Publishes how many sends wait in {@code sender}'s hand-off queue. */
    public static void bind(KafkaSender<?, ?> sender, MeterRegistry registry) {
        Gauge.builder(SENDER_QUEUED.meterName(), sender, KafkaSender::queued)
                .tag("sender", sender.name())
                .description("sends waiting for the producer thread")
                .register(registry);
        bindFailed(sender, "sender", registry);
    }

    private static void bindFailed(KafkaWorker client, String role, MeterRegistry registry) {
        Gauge.builder(CLIENT_FAILED.meterName(), client, c -> c.state() == KafkaWorker.State.FAILED ? 1 : 0)
                .tag("client", client.name())
                .tag("role", role)
                .description("1 once the client's thread failed; it is not restarted")
                .register(registry);
    }
}
