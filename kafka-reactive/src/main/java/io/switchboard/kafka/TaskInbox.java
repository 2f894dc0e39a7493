package io.switchboard.kafka;

import java.util.Queue;
import java.util.concurrent.locks.LockSupport;
import reactor.util.concurrent.Queues;

/**
 * Tasks handed to one owner thread by any number of threads. Offering never blocks and takes no
 * lock (a multi-producer linked queue, and {@code unpark} only while the owner waits), so event
 * loops may offer freely; a JDK blocking queue would take a lock that the waiting owner can hold,
 * which parks the event loop. Unbounded: callers bound what they offer.
 */
final class TaskInbox {

    private final Queue<Runnable> queue =
            Queues.<Runnable>unboundedMultiproducer().get();
    private volatile Thread owner;
    private volatile boolean waiting;

    /** Queues {@code task} and wakes the owner if it waits; any thread, never blocks. */
    void offer(Runnable task) {
        queue.offer(task);
        if (waiting) {
            LockSupport.unpark(owner);
        }
    }

    /** The next task, or null if there is none; owner only. */
    Runnable poll() {
        return queue.poll();
    }

    /**
     * The next task, waiting up to {@code timeoutNanos} for one; owner only. May return null
     * before the timeout (an {@code unpark} of the owner, an interrupt, or a spurious wake-up), so
     * callers that wait for something besides a task can look at it.
     */
    Runnable poll(long timeoutNanos) {
        Runnable task = queue.poll();
        if (task != null || timeoutNanos <= 0) {
            return task;
        }
        owner = Thread.currentThread();
        waiting = true;
        // Looked at again after announcing the wait: an offer that saw waiting == false queued its
        // task before this check.
        if (queue.isEmpty()) {
            LockSupport.parkNanos(this, timeoutNanos);
        }
        waiting = false;
        return queue.poll();
    }

    /** Owner only. */
    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Drops every queued task; owner only. */
    void clear() {
        queue.clear();
    }
}
