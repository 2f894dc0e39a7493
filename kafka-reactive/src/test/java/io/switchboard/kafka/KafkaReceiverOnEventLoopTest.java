package io.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockHound;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Handlers complete on whatever thread their last operator ran on, in the services a Lettuce or
 * Netty event loop: handing the completion to the poll thread must never park that thread. A park
 * there stalls every connection of the loop and, under BlockHound in the end-to-end tests, threw
 * from inside a lock and wedged the receiver (its group then waited out max.poll.interval.ms).
 *
 * <p>A blocking call in the hand-over fails this test every time; the lock contention of the
 * earlier blocking queue is a race, which 100,000 batches caught in about half the runs.
 */
class KafkaReceiverOnEventLoopTest {

    private static final String TOPIC = "t";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    /** Blocking calls BlockHound saw on non-blocking threads with the receiver on the stack. */
    private static final List<String> blockedInReceiver = new CopyOnWriteArrayList<>();

    private final MockConsumer<String, String> consumer = new MockConsumer<>("earliest");
    private KafkaReceiver<String, String> receiver;

    @BeforeAll
    static void blockHound() {
        // With Reactor's integration (found by install), which makes its parallel threads non-blocking.
        // Records instead of throwing: an error thrown from inside a lock's park corrupts the lock.
        BlockHound.install(builder -> builder.blockingMethodCallback(method -> {
            boolean inReceiver = Arrays.stream(Thread.currentThread().getStackTrace())
                    .map(StackTraceElement::getClassName)
                    .anyMatch(type -> type.equals(KafkaReceiver.class.getName())
                            || type.startsWith(KafkaReceiver.class.getName() + "$"));
            if (inReceiver) {
                blockedInReceiver.add(Thread.currentThread().getName() + ": " + method);
            }
        }));
    }

    @BeforeEach
    void topic() {
        Node node = new Node(0, "localhost", 9092);
        consumer.updatePartitions(
                TOPIC, List.of(new PartitionInfo(TOPIC, 0, node, new Node[] {node}, new Node[] {node})));
        consumer.updateBeginningOffsets(Map.of(P0, 0L));
        receiver = KafkaReceiver.of(consumer, "test", null, TOPIC);
    }

    @AfterEach
    void close() {
        receiver.close();
    }

    private static void spinNanos(long nanos) {
        long until = System.nanoTime() + nanos;
        while (System.nanoTime() < until) {
            // busy: the completion must not leave the thread
        }
    }

    @Test
    void batchesCompletedOnANonBlockingThreadNeverParkIt() {
        int batches = 100_000;
        // Reactor's parallel threads are non-blocking to BlockHound, as Netty's event loops are.
        // Each completes after a random few microseconds, so completions keep landing while the poll
        // thread is itself between taking and waiting for the next one.
        receiver.start(records -> Mono.<Void>fromRunnable(
                        () -> spinNanos(ThreadLocalRandom.current().nextLong(20_000)))
                .subscribeOn(Schedulers.parallel()));
        receiver.ready().block(Duration.ofSeconds(5));
        for (int i = 0; i < batches; i++) {
            long offset = i;
            consumer.schedulePollTask(() -> consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, offset, "k", "v")));
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> {
            OffsetAndMetadata committed = consumer.committed(Set.of(P0)).get(P0);
            return committed != null && committed.offset() == batches;
        });
        assertThat(blockedInReceiver).isEmpty();
    }
}
