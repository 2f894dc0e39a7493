package io.switchboard.kafka;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that runs the tasks handed to it, in order, fed through a bounded queue that never
 * blocks the caller: a {@link TaskInbox} and a counter for the bound, so event-loop threads may hand
 * work over freely. A JDK executor would take a lock to queue, which can park an event loop under
 * contention.
 *
 * <p>Every accepted task is answered: it runs, or its {@code onFailure} gets the reason it could not
 * (its run threw, or the thread stopped first). A task that throws an {@link Error} stops the thread
 * for good ({@link KafkaWorker} says why it is not restarted): the tasks still queued fail, and later
 * offers are refused.
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
    /** The Error that stopped the thread, if one did. */
    private volatile Throwable failure;

    /**
     * A queued task, run by the thread or refused by its offer, never both: whichever claims it first.
     * An offer that raced with the thread's last pass cannot tell whether its task was seen.
     */
    private static final class Queued extends AtomicBoolean implements Runnable {
        private final Runnable task;
        private final Consumer<Throwable> onFailure;

        Queued(Runnable task, Consumer<Throwable> onFailure) {
            this.task = task;
            this.onFailure = onFailure;
        }

        boolean claim() {
            return compareAndSet(false, true);
        }

        @Override
        public void run() {
            task.run();
        }

        void fail(Throwable cause) {
            try {
                onFailure.accept(cause);
            } catch (RuntimeException e) {
                log.warn("a failed task's handler threw: {}", e.toString());
            }
        }
    }

    SendThread(String name, int capacity) {
        this.capacity = capacity;
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Queues {@code task} unless the queue is full or the thread is closing or stopped; never blocks.
     * If accepted, either the task runs or {@code onFailure} gets why not; if its run throws,
     * {@code onFailure} gets that too.
     */
    Offer offer(Runnable task, Consumer<Throwable> onFailure) {
        if (closing || stopped) {
            // Checked before queueing: after the thread is gone nothing removes a task from the
            // queue, so queueing and then refusing every later send would keep each one in memory.
            return Offer.CLOSED;
        }
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            return Offer.FULL;
        }
        Queued queued = new Queued(task, onFailure);
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

    /** Whether the queue still holds tasks, refused ones included until the thread drops them (for tests). */
    boolean holdsTasks() {
        return !inbox.isEmpty();
    }

    /** RUNNING until {@link #close} or an Error stops the thread; any thread. */
    KafkaWorker.State state() {
        if (failure != null) {
            return KafkaWorker.State.FAILED;
        }
        return closing ? KafkaWorker.State.CLOSED : KafkaWorker.State.RUNNING;
    }

    /** The Error that stopped the thread, or null. */
    Throwable failure() {
        return failure;
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
        } catch (Throwable e) { // an Error from a task: RuntimeExceptions fail only their own task
            failure = e;
            stopped = true; // from now on offers are refused, not stranded
            failLeftovers();
            log.error("{} stopped, not restarted: {}; queued and later tasks fail", thread.getName(), e.toString(), e);
        }
    }

    /**
     * Fails what an Error left in the queue (after a close, drain has run everything): their callers
     * would wait forever otherwise, holding whatever they hold (an in-flight slot, a batch).
     */
    private void failLeftovers() {
        Throwable cause = failure;
        Runnable left;
        while ((left = inbox.poll()) != null) {
            Queued queued = (Queued) left;
            if (queued.claim()) { // else refused by its offer, which counted it out
                size.decrementAndGet();
                queued.fail(new IllegalStateException(thread.getName() + " stopped", cause));
            }
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
        Queued queued = (Queued) task;
        if (!queued.claim()) {
            return; // refused by its offer, which counted it out
        }
        size.decrementAndGet();
        try {
            queued.run();
        } catch (RuntimeException e) {
            queued.fail(e);
        } catch (Error e) {
            failure = e; // before its caller hears of it, so that it finds the sender FAILED
            queued.fail(new IllegalStateException(thread.getName() + " stopped", e));
            throw e;
        }
    }
}
