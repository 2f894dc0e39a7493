package io.switchboard.loadgen.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/** What the operating system and the JDK's tools tell about a local JVM, given its pid. */
public final class ProcessProbe {

    private final long pid;

    public ProcessProbe(long pid) {
        this.pid = pid;
    }

    /** Resident set size in bytes, from {@code /proc/<pid>/status} (Linux). */
    public OptionalLong rssBytes() {
        OptionalLong kib = statusField("VmRSS:");
        return kib.isPresent() ? OptionalLong.of(kib.getAsLong() * 1024) : kib;
    }

    /** Threads of the process, from {@code /proc/<pid>/status} (Linux). */
    public OptionalLong threads() {
        return statusField("Threads:");
    }

    /** The first number of a {@code /proc/<pid>/status} line, or empty (not Linux, or the process is gone). */
    private OptionalLong statusField(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(name)) {
                    String[] parts = line.substring(name.length()).trim().split("\\s+");
                    return OptionalLong.of(Long.parseLong(parts[0]));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process is gone
        }
        return OptionalLong.empty();
    }

    /**
     * CPU time used so far by the process and its descendants (the local suite's redis-server is a
     * child of its JVM), or -1 if the operating system does not tell.
     */
    public long cpuNanos() {
        return ProcessHandle.of(pid).map(ProcessProbe::cpuNanosWithDescendants).orElse(-1L);
    }

    /** CPU time used so far by this JVM (the load generator itself). */
    public static long ownCpuNanos() {
        return cpuNanosWithDescendants(ProcessHandle.current());
    }

    private static long cpuNanosWithDescendants(ProcessHandle process) {
        long total = process.info()
                .totalCpuDuration()
                .map(java.time.Duration::toNanos)
                .orElse(-1L);
        if (total < 0) {
            return -1;
        }
        for (ProcessHandle child : (Iterable<ProcessHandle>) process.descendants()::iterator) {
            total += child.info()
                    .totalCpuDuration()
                    .map(java.time.Duration::toNanos)
                    .orElse(0L);
        }
        return total;
    }

    /** Open file descriptors of the process (Linux), or -1. */
    public long openFiles() {
        try (var files = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return files.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Asks the JVM for a full collection ({@code jcmd <pid> GC.run}), so that the heap used afterwards
     * is live data only. Returns false if jcmd is not available or failed.
     */
    public boolean fullGc() {
        try {
            Process p = new ProcessBuilder(jcmd(), Long.toString(pid), "GC.run")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String jcmd() {
        Path own = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        return Files.isExecutable(own) ? own.toString() : "jcmd";
    }
}
