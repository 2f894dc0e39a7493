package io.switchboard.suite.fault;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What every client saw, in one place: the messages the server acknowledged (from the senders'
 * {@code ack}s) and the ones each recipient's application got (after dedup by id), with the times, and
 * every violation of the delivery promise any client noticed.
 */
final class Ledger {

    /** An acknowledged message. */
    record Acked(String id, String from, String to, String cid, long ackedAtNanos) {}

    private final Map<String, Acked> acked = new ConcurrentHashMap<>();
    private final Map<String, Long> deliveredAtNanos = new ConcurrentHashMap<>();
    private final Map<String, String> deliveredTo = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Long> ackTimes = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Long> deliveryTimes = new ConcurrentLinkedQueue<>();

    void acked(String id, String from, String to, String cid) {
        long now = System.nanoTime();
        ackTimes.add(now);
        Acked previous = acked.putIfAbsent(id, new Acked(id, from, to, cid, now));
        if (previous != null && !(previous.from().equals(from) && previous.cid().equals(cid))) {
            violation("message id " + id + " acknowledged for " + previous.from() + "/" + previous.cid() + " and "
                    + from + "/" + cid);
        }
    }

    /** The recipient's application got message {@code id} for the first time. */
    void delivered(String id, String to) {
        long now = System.nanoTime();
        deliveryTimes.add(now);
        deliveredAtNanos.putIfAbsent(id, now);
        String previous = deliveredTo.putIfAbsent(id, to);
        if (previous != null && !previous.equals(to)) {
            violation("message " + id + " delivered to " + previous + " and " + to);
        }
    }

    void violation(String what) {
        violations.add(what);
    }

    List<String> violations() {
        return List.copyOf(violations);
    }

    int ackedCount() {
        return acked.size();
    }

    int deliveredCount() {
        return deliveredAtNanos.size();
    }

    /** Acknowledged messages no recipient application has got (yet). */
    List<Acked> undelivered() {
        List<Acked> missing = new ArrayList<>();
        for (Acked a : acked.values()) {
            if (!deliveredAtNanos.containsKey(a.id())) {
                missing.add(a);
            }
        }
        return missing;
    }

    /** Acknowledged messages that reached a user other than their recipient. */
    List<String> deliveredToTheWrongUser() {
        List<String> wrong = new ArrayList<>();
        for (Acked a : acked.values()) {
            String to = deliveredTo.get(a.id());
            if (to != null && !to.equals(a.to())) {
                wrong.add(a.id() + " for " + a.to() + " delivered to " + to);
            }
        }
        return wrong;
    }

    /** The longest time in [from, to) (nanoTime) in which no ack arrived, in ms. */
    long longestAckPauseMillis(long from, long to) {
        return longestPause(ackTimes, from, to);
    }

    /** The longest time in [from, to) (nanoTime) in which no message was delivered, in ms. */
    long longestDeliveryPauseMillis(long from, long to) {
        return longestPause(deliveryTimes, from, to);
    }

    private static long longestPause(ConcurrentLinkedQueue<Long> times, long from, long to) {
        List<Long> within = new ArrayList<>();
        for (long t : times) {
            if (t >= from && t < to) {
                within.add(t);
            }
        }
        Collections.sort(within);
        long previous = from;
        long longest = 0;
        for (long t : within) {
            longest = Math.max(longest, t - previous);
            previous = t;
        }
        longest = Math.max(longest, to - previous);
        return longest / 1_000_000;
    }

    /** Delivered messages whose id no sender was ever acknowledged with. */
    List<String> deliveredButNeverAcked() {
        List<String> ids = new ArrayList<>();
        for (String id : deliveredAtNanos.keySet()) {
            if (!acked.containsKey(id)) {
                ids.add(id);
            }
        }
        return ids;
    }

    /** Milliseconds from ack to first delivery, sorted, for the messages delivered after their ack. */
    List<Long> ackToDeliveryMillis() {
        List<Long> latencies = new ArrayList<>();
        for (Acked a : acked.values()) {
            Long at = deliveredAtNanos.get(a.id());
            if (at != null) {
                latencies.add(Math.max(0, (at - a.ackedAtNanos()) / 1_000_000));
            }
        }
        Collections.sort(latencies);
        return latencies;
    }
}
