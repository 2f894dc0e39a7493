package io.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class SendThreadTest {

    /** For tasks that do not throw, on a thread no Error stops. */
    private static final Consumer<Throwable> NEVER_FAILS = e -> {};

    @Test
    void tasksFromManyThreadsAllRunAndEachThreadsTasksRunInItsOrder() throws Exception {
        SendThread sendThread = new SendThread("test-send", 1_000_000);
        int producers = 8;
        int perProducer = 20_000;
        ConcurrentHashMap<Integer, List<Integer>> seen = new ConcurrentHashMap<>();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int producer = p;
            seen.put(producer, new ArrayList<>());
            threads.add(new Thread(() -> {
                for (int i = 0; i < perProducer; i++) {
                    int n = i;
                    assertThat(sendThread.offer(() -> seen.get(producer).add(n), NEVER_FAILS))
                            .isEqualTo(SendThread.Offer.ACCEPTED);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> sendThread.queued() == 0);
        sendThread.close(Duration.ofSeconds(5));
        for (List<Integer> tasks : seen.values()) {
            assertThat(tasks).hasSize(perProducer).isSorted();
        }
    }

    @Test
    void anOfferRacingWithCloseIsEitherRunOrRefusedNeverLeftHanging() throws Exception {
        int hanging = 0;
        for (int round = 0; round < 2_000; round++) {
            SendThread sendThread = new SendThread("test-send-" + round, 10);
            AtomicInteger ran = new AtomicInteger();
            CyclicBarrier start = new CyclicBarrier(2);
            SendThread.Offer[] offer = new SendThread.Offer[1];
            Thread offering = new Thread(() -> {
                meet(start);
                offer[0] = sendThread.offer(ran::incrementAndGet, NEVER_FAILS);
            });
            offering.start();
            meet(start);
            sendThread.close(Duration.ofSeconds(5));
            offering.join();

            // close() returned: the thread has run everything it ever will
            if (offer[0] == SendThread.Offer.ACCEPTED) {
                hanging += 1 - ran.get();
            } else {
                assertThat(offer[0]).isEqualTo(SendThread.Offer.CLOSED);
                assertThat(ran.get()).as("a refused task ran").isZero();
            }
        }
        assertThat(hanging).as("accepted offers that never ran").isZero();
    }

    @Test
    void anErrorInATaskStopsTheThreadForGoodAndEveryTaskItLeftQueuedFailsInsteadOfHanging() throws Exception {
        SendThread sendThread = new SendThread("test-send", 10);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        List<Throwable> failed = new CopyOnWriteArrayList<>();
        sendThread.offer(
                () -> {
                    running.countDown();
                    awaitQuietly(release);
                    throw new NoClassDefFoundError("org/example/SerializerDependency");
                },
                failed::add);
        assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(sendThread.offer(ran::incrementAndGet, failed::add)).isEqualTo(SendThread.Offer.ACCEPTED);
        assertThat(sendThread.offer(ran::incrementAndGet, failed::add)).isEqualTo(SendThread.Offer.ACCEPTED);

        release.countDown();

        await().atMost(Duration.ofSeconds(5)).until(() -> failed.size() == 3);
        assertThat(failed)
                .allSatisfy(e -> assertThat(e)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("test-send stopped")
                        .hasCauseInstanceOf(NoClassDefFoundError.class));
        assertThat(ran).hasValue(0);
        assertThat(sendThread.queued()).isZero();
        assertThat(sendThread.state()).isEqualTo(KafkaWorker.State.FAILED);
        for (int i = 0; i < 1_000; i++) {
            assertThat(sendThread.offer(ran::incrementAndGet, failed::add)).isEqualTo(SendThread.Offer.CLOSED);
        }
        assertThat(sendThread.holdsTasks()).as("refused sends kept in memory").isFalse();
        sendThread.close(Duration.ofSeconds(1));
        assertThat(sendThread.state()).as("still failed after close()").isEqualTo(KafkaWorker.State.FAILED);
    }

    @Test
    void aTaskThatThrowsAnExceptionFailsAloneAndTheThreadGoesOn() {
        SendThread sendThread = new SendThread("test-send", 10);
        List<Throwable> failed = new CopyOnWriteArrayList<>();
        AtomicInteger ran = new AtomicInteger();

        sendThread.offer(
                () -> {
                    throw new IllegalArgumentException("record too large");
                },
                failed::add);
        sendThread.offer(ran::incrementAndGet, failed::add);

        await().atMost(Duration.ofSeconds(5)).until(() -> ran.get() == 1);
        assertThat(failed).singleElement().isInstanceOf(IllegalArgumentException.class);
        assertThat(sendThread.state()).isEqualTo(KafkaWorker.State.RUNNING);
        sendThread.close(Duration.ofSeconds(1));
        assertThat(sendThread.state()).isEqualTo(KafkaWorker.State.CLOSED);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void meet(CyclicBarrier barrier) {
        try {
            barrier.await(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aFullQueueRefusesAtOnceAndAClosedOneRefusesEverything() throws Exception {
        SendThread sendThread = new SendThread("test-send", 2);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        sendThread.offer(
                () -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                NEVER_FAILS);
        await().until(() -> sendThread.queued() == 0); // the blocker is running, the queue is empty

        assertThat(sendThread.offer(ran::incrementAndGet, NEVER_FAILS)).isEqualTo(SendThread.Offer.ACCEPTED);
        assertThat(sendThread.offer(ran::incrementAndGet, NEVER_FAILS)).isEqualTo(SendThread.Offer.ACCEPTED);
        assertThat(sendThread.offer(ran::incrementAndGet, NEVER_FAILS)).isEqualTo(SendThread.Offer.FULL);

        release.countDown();
        sendThread.close(Duration.ofSeconds(5));
        assertThat(ran).hasValue(2);
        assertThat(sendThread.offer(ran::incrementAndGet, NEVER_FAILS)).isEqualTo(SendThread.Offer.CLOSED);
    }
}
