package io.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TaskInboxTest {

    @Test
    void anOfferWakesAnOwnerWaitingForATask() throws Exception {
        TaskInbox inbox = new TaskInbox();
        Runnable task = () -> {};
        CompletableFuture<Long> tookMillis = new CompletableFuture<>();
        Thread owner = new Thread(() -> {
            long start = System.nanoTime();
            Runnable got = null;
            while (got == null) { // a spurious wake-up returns null early
                got = inbox.poll(TimeUnit.SECONDS.toNanos(10));
            }
            tookMillis.complete(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        });
        owner.start();
        Thread.sleep(200); // the owner is waiting by now

        inbox.offer(task);

        // Woken by the offer, not by its 10 s timeout.
        assertThat(tookMillis.get(5, TimeUnit.SECONDS)).isLessThan(5_000);
    }

    @Test
    void withoutATaskTheOwnerGetsNoneAndAQueuedOneAtOnce() {
        TaskInbox inbox = new TaskInbox();
        long start = System.nanoTime();
        Runnable got = null;
        while (got == null && System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(100)) {
            got = inbox.poll(TimeUnit.MILLISECONDS.toNanos(50));
        }

        assertThat(got).isNull();
        inbox.offer(() -> {});
        assertThat(inbox.poll(0)).isNotNull();
        assertThat(inbox.isEmpty()).isTrue();
    }
}
