package io.switchboard.loadgen.scenario;

/**
 * Idle connections on one gateway node and what they cost it. Memory figures are deltas between
 * before and after the connections were opened (heap measured after a full GC when the gateway's pid
 * was given), divided by the connections open; {@code -1} where a figure could not be read.
 *
 * @param heapAfterGc whether the heap figures follow a full GC ({@code jcmd GC.run}); else they are noisy
 * @param sessionsReported the gateway's own {@code switchboard.sessions.open} gauge after connecting
 */
public record IdleResult(
        String gateway,
        int requested,
        int opened,
        int failed,
        String firstError,
        double connectSeconds,
        double connectsPerSecond,
        double sessionsReported,
        boolean heapAfterGc,
        double heapBytesPerConnection,
        double jvmDirectBytesPerConnection,
        double nettyDirectBytesPerConnection,
        double rssBytesPerConnection,
        long heapBefore,
        long heapAfter,
        long rssBefore,
        long rssAfter,
        long gatewayOpenFiles,
        double loadBefore,
        double loadAfter) {}
