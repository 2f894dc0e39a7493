package io.switchboard.loadgen.stats;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What happened to every message of a run, by message number {@code n} (0, 1, 2, … in send order):
 * when it was (meant to be) sent, whether the server acknowledged or refused it, and how many copies
 * arrived. From that it tells what the promise cares about: a message that was acknowledged and never
 * delivered is <em>lost</em>; a second copy on the same session is a <em>duplicate</em>.
 *
 * <p>{@link #register} is called by one thread (the sender); the rest from any thread.
 */
public final class MessageLedger {

    private static final int NONE = 0;
    private static final int ACKED = 1;
    private static final int REFUSED = 2;

    private final int capacity;
    private final AtomicLongArray sentAt;
    private final AtomicIntegerArray outcome;
    private final AtomicIntegerArray copies;
    private final LongAdder acked = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder deliveredOnce = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder unknown = new LongAdder();
    private volatile int sent;

    /** @param capacity the most messages one run may send */
    public MessageLedger(int capacity) {
        this.capacity = capacity;
        this.sentAt = new AtomicLongArray(capacity);
        this.outcome = new AtomicIntegerArray(capacity);
        this.copies = new AtomicIntegerArray(capacity);
    }

    /** Counts over one range of message numbers, once traffic has stopped. */
    public record Counts(
            long sent, long acked, long refused, long delivered, long lost, long duplicates, long deliveredUnacked) {}

    /**
     * Takes the next message number for a message sent (or scheduled) at {@code sentAtNanos}.
     *
     * @return the number, or {@code -1} when the ledger is full
     */
    public long register(long sentAtNanos) {
        int n = sent;
        if (n >= capacity) {
            return -1;
        }
        sentAt.set(n, sentAtNanos);
        sent = n + 1;
        return n;
    }

    /** Messages registered so far; the next {@link #register} returns this number. */
    public long sent() {
        return sent;
    }

    /** When message {@code n} was sent (or scheduled). */
    public long sentAt(long n) {
        return sentAt.get((int) n);
    }

    /** True if {@code n} is a number this ledger handed out. */
    public boolean known(long n) {
        return n >= 0 && n < sent;
    }

    /** The server acknowledged {@code n}; false if it was not known or already settled. */
    public boolean acked(long n) {
        return settle(n, ACKED);
    }

    /** The server refused {@code n} (an error frame) or it could not be sent. */
    public boolean refused(long n) {
        return settle(n, REFUSED);
    }

    private boolean settle(long n, int result) {
        if (!known(n)) {
            unknown.increment();
            return false;
        }
        if (!outcome.compareAndSet((int) n, NONE, result)) {
            return false;
        }
        (result == ACKED ? acked : refused).increment();
        return true;
    }

    /**
     * A copy of {@code n} arrived.
     *
     * @return true for its first copy, false for a duplicate or an unknown number
     */
    public boolean delivered(long n) {
        if (!known(n)) {
            unknown.increment();
            return false;
        }
        if (copies.getAndIncrement((int) n) == 0) {
            deliveredOnce.increment();
            return true;
        }
        duplicates.increment();
        return false;
    }

    /** True when every message sent so far was answered and every acknowledged one delivered. */
    public boolean settled() {
        return acked.sum() + refused.sum() == sent && deliveredOnce.sum() >= acked.sum();
    }

    /** Frames naming a message this ledger never handed out (another run's, or garbage). */
    public long unknown() {
        return unknown.sum();
    }

    public long ackedTotal() {
        return acked.sum();
    }

    public long deliveredTotal() {
        return deliveredOnce.sum();
    }

    /** Counts for numbers {@code from} (inclusive) to {@code to} (exclusive). */
    public Counts counts(long from, long to) {
        long a = 0, r = 0, d = 0, lost = 0, dup = 0, unacked = 0;
        for (int n = (int) from; n < to; n++) {
            int o = outcome.get(n);
            int c = copies.get(n);
            if (o == ACKED) {
                a++;
            } else if (o == REFUSED) {
                r++;
            }
            if (c > 0) {
                d++;
                dup += c - 1;
                if (o != ACKED) {
                    unacked++;
                }
            } else if (o == ACKED) {
                lost++;
            }
        }
        return new Counts(to - from, a, r, d, lost, dup, unacked);
    }
}
