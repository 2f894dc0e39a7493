package io.switchboard.kafka;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.util.concurrent.Queues;

/**
 * One thread that runs the tasks handed to it, in order, fed through a bounded queue that never
 * blocks the caller: offering is lock-free (a multi-producer linked queue, a counter for the bound,
 * and {@code unpark} to wake the thread), so event-loop threads may hand work over freely. A JDK
 * executor would take a lock to queue, which can park an event loop under contention.
 */
final class SendThread {

    enum Offer {
        ACCEPTED,
        FULL,
        CLOSED
    }

    private static final Logger log = LoggerFactory.getLogger(SendThread.class);
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Queue<Runnable> queue =
            Queues.<Runnable>unboundedMultiproducer().get();
    private final AtomicInteger size = new AtomicInteger();
    private final int capacity;
    private final Thread thread;
    private volatile boolean closing;
    private volatile boolean parked;

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
        queue.offer(task);
        if (parked) {
            LockSupport.unpark(thread);
        }
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
            Runnable task = queue.poll();
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
            parked = true;
            // Checked again after announcing the park: an offer that saw parked == false queued
            // its task before this check.
            if (queue.isEmpty() && !closing) {
                LockSupport.parkNanos(this, IDLE_PARK_NANOS);
            }
            parked = false;
        }
    }
}
