package io.switchboard.loadgen.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.switchboard.loadgen.metrics.ServerProbe;
import io.switchboard.loadgen.stats.LatencySummary;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SoakResultTest {

    private static final long MIB = 1 << 20;

    @Test
    void heapGrowthIsTheSlopeFromTheSecondRoundOnPerHour() {
        // The first round fills caches (+100 MiB); after it the heap grows 1 MiB every 6 minutes.
        List<SoakResult.Round> rounds = List.of(
                round(1, 3, 200 * MIB, 0),
                round(2, 6, 300 * MIB, 0),
                round(3, 12, 301 * MIB, 0),
                round(4, 18, 302 * MIB, 0));

        SoakResult result = SoakResult.of(1000, 1500, 180, snapshot(100 * MIB), rounds);

        assertThat(result.heapGrowthBytesPerHour() / MIB).isCloseTo(10.0, within(0.001));
    }

    @Test
    void aFlatHeapShowsNoGrowthAndTotalsAddUp() {
        List<SoakResult.Round> rounds =
                List.of(round(1, 3, 300 * MIB, 0), round(2, 6, 300 * MIB, 0), round(3, 9, 300 * MIB, 0));

        SoakResult result = SoakResult.of(1000, 1500, 180, snapshot(100 * MIB), rounds);

        assertThat(result.heapGrowthBytesPerHour()).isZero();
        assertThat(result.sent()).isEqualTo(3 * 1000);
        assertThat(result.delivered()).isEqualTo(3 * 1000);
        assertThat(result.clean()).isTrue();
    }

    @Test
    void sessionsLeftOpenOrALostMessageMakeTheSoakUnclean() {
        SoakResult leftOpen = SoakResult.of(
                1000, 1500, 180, snapshot(100 * MIB), List.of(round(1, 3, 300 * MIB, 0), round(2, 6, 300 * MIB, 7)));
        assertThat(leftOpen.maxSessionsLeftOpen()).isEqualTo(7);
        assertThat(leftOpen.clean()).isFalse();

        SoakResult.Round lossy = new SoakResult.Round(1, 3, phase(1000, 999, 1), 0, snapshot(300 * MIB));
        assertThat(SoakResult.of(1000, 1500, 180, snapshot(100 * MIB), List.of(lossy))
                        .clean())
                .isFalse();
    }

    @Test
    void unknownFiguresAreLeftOutOfTheSlope() {
        List<SoakResult.Round> rounds = List.of(
                round(1, 3, 200 * MIB, 0), round(2, 6, 300 * MIB, 0), round(3, 12, -1, 0), round(4, 18, 302 * MIB, 0));

        SoakResult result = SoakResult.of(1000, 1500, 180, snapshot(100 * MIB), rounds);

        assertThat(result.heapGrowthBytesPerHour() / MIB).isCloseTo(10.0, within(0.001));
    }

    private static SoakResult.Round round(int n, double minutes, long heap, double sessionsOpen) {
        return new SoakResult.Round(n, minutes, phase(1000, 1000, 0), sessionsOpen, snapshot(heap));
    }

    private static ServerProbe.Snapshot snapshot(long heap) {
        return new ServerProbe.Snapshot(heap, 0, 0, 2 * heap, 150, 300, true);
    }

    private static PhaseResult phase(long sent, long delivered, long lost) {
        LatencySummary latency = new LatencySummary(1, 2, 3, 4, 5, 6, 7);
        return new PhaseResult(
                "soak", "direct", 1000, 1500, 180, 1500, sent, sent, 0, delivered, lost, 0, 0, 0, 1500, latency,
                latency, 0, Map.of(), Map.of(), -1, -1, 0, 0);
    }
}
