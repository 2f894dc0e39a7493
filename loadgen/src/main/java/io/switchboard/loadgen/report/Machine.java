package io.switchboard.loadgen.report;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The machine a run was measured on. */
public record Machine(int cores, long memoryBytes, String cpu, String jdk, String os, String openFilesLimit) {

    public static Machine current() {
        return new Machine(
                Runtime.getRuntime().availableProcessors(),
                memTotal(),
                cpuModel(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + " ("
                        + System.getProperty("java.vm.vendor") + ")",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                openFiles());
    }

    private static List<String> lines(String file) {
        try {
            return Files.readAllLines(Path.of(file));
        } catch (Exception e) {
            return List.of();
        }
    }

    private static long memTotal() {
        for (String line : lines("/proc/meminfo")) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }

    private static String cpuModel() {
        for (String line : lines("/proc/cpuinfo")) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return "unknown";
    }

    private static String openFiles() {
        for (String line : lines("/proc/self/limits")) {
            if (line.startsWith("Max open files")) {
                String[] parts =
                        line.substring("Max open files".length()).trim().split("\\s+");
                return parts[0] + " soft / " + parts[1] + " hard";
            }
        }
        return "unknown";
    }
}
