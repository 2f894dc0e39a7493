package io.switchboard.loadgen.scenario;

import io.switchboard.loadgen.stats.LatencySummary;
import java.util.Map;

/**
 * One measured phase of a messaging run (a fixed rate for a fixed time, then a drain).
 *
 * @param label what was run, e.g. {@code direct 1000c @12000/s}
 * @param targetRate the aggregate send rate asked for, messages per second
 * @param sendRate the rate actually sent (below the target when the load generator fell behind)
 * @param sent messages sent
 * @param acked acknowledged by a gateway
 * @param refused answered with an error frame or not sendable (connection gone)
 * @param delivered distinct messages that reached their recipient
 * @param lost acknowledged but not delivered once the drain period ended
 * @param duplicates extra copies of a message on the same session
 * @param outOfOrder {@code msg} frames whose seq was not above the session's previous one
 * @param misrouted {@code msg} frames for another user than the session's
 * @param deliveredPerSecond distinct deliveries per second, from the first send to the last delivery
 * @param latency send (scheduled time) to delivery
 * @param ackLatency send (scheduled time) to {@code ack}
 * @param maxScheduleLagMs how late the load generator sent against its schedule, at worst
 * @param errorCodes error frames by code
 * @param closeCodes sessions that ended during the phase, by close code
 * @param serverCpuMicrosPerMessage CPU time the server process (and its children) used per delivered
 *     message during the phase, or -1 if its pid was not given: independent of other load on the machine
 * @param loadgenCpuMicrosPerMessage the load generator's own CPU time per delivered message
 * @param loadBefore 1-minute load average before the phase
 * @param loadAfter 1-minute load average after the phase
 */
public record PhaseResult(
        String label,
        String pattern,
        int connections,
        double targetRate,
        double seconds,
        double sendRate,
        long sent,
        long acked,
        long refused,
        long delivered,
        long lost,
        long duplicates,
        long outOfOrder,
        long misrouted,
        double deliveredPerSecond,
        LatencySummary latency,
        LatencySummary ackLatency,
        double maxScheduleLagMs,
        Map<String, Long> errorCodes,
        Map<String, Long> closeCodes,
        double serverCpuMicrosPerMessage,
        double loadgenCpuMicrosPerMessage,
        double loadBefore,
        double loadAfter) {

    /** No loss, no duplicate, no refusal, in order, and p99 under {@code p99LimitMs}. */
    public boolean clean(double p99LimitMs) {
        return lost == 0
                && duplicates == 0
                && refused == 0
                && outOfOrder == 0
                && misrouted == 0
                && acked == sent
                && latency.p99() < p99LimitMs;
    }
}
