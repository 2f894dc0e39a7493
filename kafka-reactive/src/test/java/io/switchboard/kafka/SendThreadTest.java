package io.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
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
