package io.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SendThreadTest {

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
                    assertThat(sendThread.offer(() -> seen.get(producer).add(n)))
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
                offer[0] = sendThread.offer(ran::incrementAndGet);
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
        sendThread.offer(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        await().until(() -> sendThread.queued() == 0); // the blocker is running, the queue is empty

        assertThat(sendThread.offer(ran::incrementAndGet)).isEqualTo(SendThread.Offer.ACCEPTED);
        assertThat(sendThread.offer(ran::incrementAndGet)).isEqualTo(SendThread.Offer.ACCEPTED);
        assertThat(sendThread.offer(ran::incrementAndGet)).isEqualTo(SendThread.Offer.FULL);

        release.countDown();
        sendThread.close(Duration.ofSeconds(5));
        assertThat(ran).hasValue(2);
        assertThat(sendThread.offer(ran::incrementAndGet)).isEqualTo(SendThread.Offer.CLOSED);
    }
}
