package io.switchboard.benchmarks;

import io.switchboard.kafka.KafkaSender;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Flux;

/**
 * The hand-over every Kafka write on the message path makes: a caller (an event loop, a Lettuce
 * thread) hands the record to the sender's own thread, which calls {@code KafkaProducer.send}; the
 * result comes back on another thread. With Kafka's {@code MockProducer} (which acknowledges at once)
 * what is left is the price of crossing threads: one record alone (both threads fall asleep between
 * records, so each record wakes them) against records handed over in bursts (one wake-up shared by
 * the burst). docs/benchmarks.md ("Thread wake-ups per message") explains why this matters here.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar KafkaSender}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class KafkaSenderBenchmarks {

    private static final int BURST = 64;

    private MockProducer<String, byte[]> producer;
    private KafkaSender<String, byte[]> sender;
    private final ProducerRecord<String, byte[]> record =
            new ProducerRecord<>("switchboard.inbound", "lg-m1abc-u517", new byte[180]);

    @Setup
    public void setUp() {
        producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        sender = new KafkaSender<>(producer, "benchmark", KafkaSender.DEFAULT_QUEUE_CAPACITY);
    }

    /** The mock keeps every record it was given; forget them so that memory stays flat. */
    @Setup(Level.Iteration)
    public void forgetSentRecords() {
        producer.clear();
    }

    @TearDown
    public void tearDown() {
        sender.close();
    }

    /** One record at a time: hand over, wait for the acknowledgement, repeat. */
    @Benchmark
    public RecordMetadata oneRecordAtATime() {
        return sender.send(record).block();
    }

    /** {@value #BURST} records handed over together, then all acknowledgements awaited. */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public RecordMetadata burstsOf64() {
        return Flux.range(0, BURST).flatMap(i -> sender.send(record), BURST).blockLast();
    }
}
