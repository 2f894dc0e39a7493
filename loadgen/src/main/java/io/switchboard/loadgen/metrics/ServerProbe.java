package io.switchboard.loadgen.metrics;

import java.util.OptionalLong;

/**
 * What the server under test holds: memory from its metrics endpoint and, given its pid, resident
 * memory, threads and open files from the operating system. Blocking (a full GC and HTTP calls): call
 * it from the scenario's own thread.
 */
public final class ServerProbe {

    private final ActuatorClient actuator;
    private final ProcessProbe process; // null: the pid was not given

    /** @param pid the server's process id, or {@code null}: then no GC before reading, and no OS figures */
    public ServerProbe(ActuatorClient actuator, Long pid) {
        this.actuator = actuator;
        this.process = pid == null ? null : new ProcessProbe(pid);
    }

    /**
     * The server's figures now; {@code -1} for any it did not tell. With the pid known, the heap is read
     * after two full collections (the first may only promote what the second then collects), so it is
     * live data, not garbage not yet collected.
     */
    public Snapshot snapshot() {
        boolean gc = process != null && process.fullGc() && process.fullGc();
        return new Snapshot(
                (long) actuator.value("jvm.memory.used", "area:heap").orElse(-1),
                (long) actuator.value("jvm.buffer.memory.used", "id:direct").orElse(-1),
                (long) actuator.value("netty.allocator.memory.used", "memory.type:direct")
                        .orElse(-1),
                process == null ? -1 : orMinusOne(process.rssBytes()),
                process == null ? -1 : orMinusOne(process.threads()),
                process == null ? -1 : process.openFiles(),
                gc);
    }

    private static long orMinusOne(OptionalLong value) {
        return value.isPresent() ? value.getAsLong() : -1;
    }

    /**
     * @param heap heap in use, bytes
     * @param jvmDirect the JVM's direct buffers, bytes
     * @param nettyDirect Netty's pooled direct memory, bytes
     * @param rss resident set size, bytes
     * @param afterGc whether {@code heap} was read after full collections
     */
    public record Snapshot(
            long heap, long jvmDirect, long nettyDirect, long rss, long threads, long openFiles, boolean afterGc) {}
}
