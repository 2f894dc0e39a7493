package io.switchboard.suite.fault;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    void acked(String id, String from, String to, String cid) {
        Acked previous = acked.putIfAbsent(id, new Acked(id, from, to, cid, System.nanoTime()));
        if (previous != null && !(previous.from().equals(from) && previous.cid().equals(cid))) {
            violation("message id " + id + " acknowledged for " + previous.from() + "/" + previous.cid() + " and "
                    + from + "/" + cid);
        }
    }

    /** The recipient's application got message {@code id} for the first time. */
    void delivered(String id, String to) {
        deliveredAtNanos.putIfAbsent(id, System.nanoTime());
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

    /** Ids of the acknowledged messages not delivered yet, for tracking a backlog. */
    Set<String> undeliveredIds() {
        Set<String> ids = ConcurrentHashMap.newKeySet();
        undelivered().forEach(a -> ids.add(a.id()));
        return ids;
    }

    boolean isDelivered(String id) {
        return deliveredAtNanos.containsKey(id);
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
