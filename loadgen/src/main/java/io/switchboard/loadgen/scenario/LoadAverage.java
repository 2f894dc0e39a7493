package io.switchboard.loadgen.scenario;

import java.nio.file.Files;
import java.nio.file.Path;

/** The machine's load average, to tell a quiet measurement from a noisy one. */
final class LoadAverage {

    private LoadAverage() {}

    /** The 1-minute load average, or -1 where /proc/loadavg does not exist. */
    static double oneMinute() {
        try {
            return Double.parseDouble(
                    Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (Exception e) {
            return -1;
        }
    }
}
