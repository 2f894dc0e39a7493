package io.switchboard.loadgen.scenario;

import java.util.Locale;

/** One-line console summaries of results, as the run goes. */
public final class Report {

    private Report() {}

    public static String line(PhaseResult r) {
        return String.format(
                Locale.ROOT,
                "%-34s sent %7d (%7.0f/s) acked %7d refused %d delivered %7d lost %d dup %d ooo %d"
                        + " | %7.0f deliv/s | p50 %6.2f p90 %6.2f p99 %6.2f p99.9 %6.2f max %7.2f ms"
                        + " | lag %.1f ms | cpu/msg server %.0f µs, loadgen %.0f µs | load %.2f%s%s",
                r.label(),
                r.sent(),
                r.sendRate(),
                r.acked(),
                r.refused(),
                r.delivered(),
                r.lost(),
                r.duplicates(),
                r.outOfOrder(),
                r.deliveredPerSecond(),
                r.latency().p50(),
                r.latency().p90(),
                r.latency().p99(),
                r.latency().p999(),
                r.latency().max(),
                r.maxScheduleLagMs(),
                r.serverCpuMicrosPerMessage(),
                r.loadgenCpuMicrosPerMessage(),
                r.loadAfter(),
                r.errorCodes().isEmpty() ? "" : " errors " + r.errorCodes(),
                r.closeCodes().isEmpty() ? "" : " closed " + r.closeCodes());
    }

    public static String line(IdleResult r) {
        return String.format(
                Locale.ROOT,
                "idle %d/%d on %s in %.1f s (%.0f/s) | per connection: heap %s, direct %s (netty %s), rss %s%s"
                        + " | gateway sessions %.0f, files %d | load %.2f",
                r.opened(),
                r.requested(),
                r.gateway(),
                r.connectSeconds(),
                r.connectsPerSecond(),
                kib(r.heapBytesPerConnection()),
                kib(r.jvmDirectBytesPerConnection()),
                kib(r.nettyDirectBytesPerConnection()),
                kib(r.rssBytesPerConnection()),
                r.heapAfterGc() ? " (heap after full GC)" : " (heap not after GC: noisy)",
                r.sessionsReported(),
                r.gatewayOpenFiles(),
                r.loadAfter());
    }

    public static String line(ReconnectResult r) {
        return String.format(
                Locale.ROOT,
                "%-28s %d devices x %d: stored %d, connected in %.2f s, all caught up in %.2f s (%d/%d devices)"
                        + " | received %d missing %d dup %d gaps %d | per device p50 %.0f p99 %.0f max %.0f ms%s",
                r.label(),
                r.devices(),
                r.messagesPerDevice(),
                r.stored(),
                r.connectSeconds(),
                r.caughtUpSeconds(),
                r.caughtUp(),
                r.devices(),
                r.received(),
                r.missing(),
                r.duplicates(),
                r.gaps(),
                r.perDevice().p50(),
                r.perDevice().p99(),
                r.perDevice().max(),
                r.note().isEmpty() ? "" : " | " + r.note());
    }

    /** Bytes as KiB with one decimal, or "n/a" for a figure that could not be read. */
    public static String kib(double bytes) {
        return bytes == -1 ? "n/a" : String.format(Locale.ROOT, "%.1f KiB", bytes / 1024);
    }
}
