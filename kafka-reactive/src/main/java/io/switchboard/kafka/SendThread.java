package io.switchboard.kafka;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
    /** Set by the thread just before its last pass over the queue. */
    private volatile boolean stopped;

    /**
     * A queued task, run by the thread or refused by its offer, never both: whichever claims it first.
     * An offer that raced with the thread's last pass cannot tell whether its task was seen.
     */
    private static final class Queued extends AtomicBoolean implements Runnable {
        private final Runnable task;

        Queued(Runnable task) {
            this.task = task;
        }

        boolean claim() {
            return compareAndSet(false, true);
        }

        @Override
        public void run() {
            task.run();
        }
    }

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
        Queued queued = new Queued(task);
        inbox.offer(queued);
        // closing may have been set after the check above, and the thread may have made its last
        // pass before the task arrived: then the task is refused here rather than never run.
        if (stopped && queued.claim()) {
            size.decrementAndGet();
            return Offer.CLOSED;
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
        try {
            drain();
        } finally {
            stopped = true; // also if a task threw an Error: later offers are refused, not stranded
        }
    }

    private void drain() {
        while (true) {
            Runnable task = inbox.poll(IDLE_PARK_NANOS);
            if (task != null) {
                runClaimed(task);
                continue;
            }
            if (closing) {
                stopped = true;
                // Tasks of offers that passed their closing check before it was set and queued
                // before they saw stopped: the last ones this thread runs.
                Runnable late;
                while ((late = inbox.poll()) != null) {
                    runClaimed(late);
                }
                return;
            }
        }
    }

    private void runClaimed(Runnable task) {
        if (!((Queued) task).claim()) {
            return; // refused by its offer, which counted it out
        }
        size.decrementAndGet();
        try {
            task.run();
        } catch (RuntimeException e) {
            log.error("{}: task failed: {}", thread.getName(), e.toString());
        }
    }
}
