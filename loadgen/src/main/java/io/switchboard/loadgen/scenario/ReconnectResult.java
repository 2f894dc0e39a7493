package io.switchboard.loadgen.scenario;

import io.switchboard.loadgen.stats.LatencySummary;

/**
 * A reconnect storm: devices with stored messages connect at once and replay them.
 *
 * @param replaySupported whether the server announced replay ({@code welcome} carries {@code after});
 *     when false the figures below only show that nothing was replayed
 * @param stored messages stored for the devices before they connected (acknowledged)
 * @param connectSeconds from the storm's start until every device had its {@code welcome}
 * @param caughtUpSeconds from the storm's start until every device had every stored message (or the
 *     timeout, if some never did)
 * @param caughtUp devices that received all their messages
 * @param perDevice per device, storm start to its last stored message
 * @param missing stored messages that never arrived
 * @param duplicates messages that arrived more than once on a session
 * @param gaps {@code gap} frames received (messages the server says will never come)
 */
public record ReconnectResult(
        String label,
        int devices,
        int messagesPerDevice,
        boolean replaySupported,
        long stored,
        double connectSeconds,
        double caughtUpSeconds,
        int caughtUp,
        long received,
        long missing,
        long duplicates,
        long gaps,
        LatencySummary perDevice,
        String note,
        double loadBefore,
        double loadAfter) {}
