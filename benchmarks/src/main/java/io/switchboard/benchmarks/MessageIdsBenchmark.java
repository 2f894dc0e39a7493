package io.switchboard.benchmarks;

import io.switchboard.protocol.id.MessageIds;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Message ids (UUIDv7) are made for every accepted message and every session, on event loops; the
 * generator is shared and synchronized, so it is measured alone and with two threads contending (a
 * gateway has one event loop per core).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MessageIdsBenchmark {

    @Benchmark
    public String next() {
        return MessageIds.next();
    }

    @Benchmark
    @Threads(2)
    public String nextContended() {
        return MessageIds.next();
    }

    @Benchmark
    public long timestampOf() {
        return MessageIds.timestampOf("019a6f7e-8c1b-7b3e-9a41-3c2d1e0f5a67");
    }
}
