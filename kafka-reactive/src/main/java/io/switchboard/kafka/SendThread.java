package io.switchboard.kafka;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that runs the tasks handed to it, in order, fed through a bounded queue that never
 * blocks the caller: a {@link TaskInbox} and a counter for the bound, so event-loop threads may hand
 * work over freely. A JDK executor would take a lock to queue, which can park an event loop under
 * contention.
 */
final class SendThread {

    enum Offer {
        ACCEPTED,
        FULL,
        CLOSED
    }

    private static final Logger log = LoggerFactory.getLogger(SendThread.class);
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final TaskInbox inbox = new TaskInbox();
    private final AtomicInteger size = new AtomicInteger();
    private final int capacity;
    private final Thread thread;
    private volatile boolean closing;

    SendThread(String name, int capacity) {
        this.capacity = capacity;
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues {@code task} unless the queue is full or the thread is closing; never blocks. */
    Offer offer(Runnable task) {
        if (closing) {
            return Offer.CLOSED;
        }
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            return Offer.FULL;
        }
        inbox.offer(task);
        return Offer.ACCEPTED;
    }

    /** Tasks waiting to run. */
    int queued() {
        return size.get();
    }

    /** Runs what is queued, then stops; waits at most {@code timeout} for that. */
    void close(Duration timeout) {
        closing = true;
        LockSupport.unpark(thread);
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        while (true) {
            Runnable task = inbox.poll(IDLE_PARK_NANOS);
            if (task != null) {
                size.decrementAndGet();
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("{}: task failed: {}", thread.getName(), e.toString());
                }
                continue;
            }
            if (closing) {
                return;
            }
        }
    }
}
