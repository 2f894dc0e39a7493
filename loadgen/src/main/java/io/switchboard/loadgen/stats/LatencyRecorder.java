package io.switchboard.loadgen.stats;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Records latencies from many threads without locks (HdrHistogram's {@link Recorder}), in
 * microseconds, up to an hour, 3 significant digits. {@link #interval()} hands out what was recorded
 * since the previous call, so one recorder serves consecutive phases.
 */
public final class LatencyRecorder {

    private static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);

    private final Recorder recorder = new Recorder(MAX_MICROS, 3);

    public void recordNanos(long nanos) {
        recorder.recordValue(Math.min(MAX_MICROS, Math.max(0, nanos / 1000)));
    }

    /** Everything recorded since the previous call (or since creation). */
    public Histogram interval() {
        return recorder.getIntervalHistogram();
    }
}
