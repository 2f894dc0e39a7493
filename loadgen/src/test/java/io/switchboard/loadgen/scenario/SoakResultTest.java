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
    private static final ServerProbe.Snapshot BEFORE = snapshot(100 * MIB);

    @Test
    void heapGrowthIsTheSlopeFromTheSecondRoundOnPerHour() {
        // The first round fills caches (+100 MiB); after it the heap grows 1 MiB every 6 minutes.
        List<SoakResult.Round> rounds = List.of(
                round(1, 3, 200 * MIB), round(2, 6, 300 * MIB), round(3, 12, 301 * MIB), round(4, 18, 302 * MIB));

        SoakResult result = SoakResult.of(1000, 1500, 180, BEFORE, rounds, null);

        assertThat(result.heapGrowthBytesPerHour() / MIB).isCloseTo(10.0, within(0.001));
    }

    @Test
    void withTwoRoundsTheSlopeTakesBoth() {
        List<SoakResult.Round> rounds = List.of(round(1, 3, 200 * MIB), round(2, 6, 201 * MIB));

        assertThat(SoakResult.of(1000, 1500, 180, BEFORE, rounds, null).heapGrowthBytesPerHour() / MIB)
                .isCloseTo(20.0, within(0.001));
    }

    @Test
    void aFlatHeapShowsNoGrowthAndTotalsAddUp() {
        List<SoakResult.Round> rounds = List.of(round(1, 3, 300 * MIB), round(2, 6, 300 * MIB), round(3, 9, 300 * MIB));

        SoakResult result = SoakResult.of(1000, 1500, 180, BEFORE, rounds, null);

        assertThat(result.heapGrowthBytesPerHour()).isZero();
        assertThat(result.sent()).isEqualTo(3 * 1000);
        assertThat(result.acked()).isEqualTo(3 * 1000);
        assertThat(result.delivered()).isEqualTo(3 * 1000);
        assertThat(result.clean()).isTrue();
    }

    @Test
    void unknownFiguresAreLeftOutOfTheSlope() {
        List<SoakResult.Round> rounds =
                List.of(round(1, 3, 200 * MIB), round(2, 6, 300 * MIB), round(3, 12, -1), round(4, 18, 302 * MIB));

        SoakResult result = SoakResult.of(1000, 1500, 180, BEFORE, rounds, null);

        assertThat(result.heapGrowthBytesPerHour() / MIB).isCloseTo(10.0, within(0.001));
    }

    @Test
    void sessionsLeftOpenOrNotKnownToBeClosedMakeTheSoakUnclean() {
        SoakResult leftOpen = soakWithSecondRound(
                new SoakResult.Round(2, 6, phase(1000, 1000, 1000, 0, 0), 0, 7, snapshot(300 * MIB)));
        assertThat(leftOpen.maxSessionsLeftOpen()).isEqualTo(7);
        assertThat(leftOpen.clean()).isFalse();

        SoakResult unknown = soakWithSecondRound(
                new SoakResult.Round(2, 6, phase(1000, 1000, 1000, 0, 0), 0, -1, snapshot(300 * MIB)));
        assertThat(unknown.clean()).isFalse();
    }

    @Test
    void anyMessageLostMisroutedOrUnacknowledgedMakesTheSoakUnclean() {
        SoakResult lost = soakWithSecondRound(
                new SoakResult.Round(2, 6, phase(1000, 1000, 999, 1, 0), 0, 0, snapshot(300 * MIB)));
        SoakResult misrouted = soakWithSecondRound(
                new SoakResult.Round(2, 6, phase(1000, 1000, 1000, 0, 3), 0, 0, snapshot(300 * MIB)));
        SoakResult unacknowledged = soakWithSecondRound(
                new SoakResult.Round(2, 6, phase(1000, 990, 1000, 0, 0), 0, 0, snapshot(300 * MIB)));

        assertThat(lost.clean()).isFalse();
        assertThat(misrouted.misrouted()).isEqualTo(3);
        assertThat(misrouted.clean()).isFalse();
        assertThat(unacknowledged.clean()).isFalse();
    }

    @Test
    void failedConnectsOrARoundThatCouldNotRunMakeTheSoakUnclean() {
        SoakResult refusedSessions = soakWithSecondRound(
                new SoakResult.Round(2, 6, phase(1000, 1000, 1000, 0, 0), 12, 0, snapshot(300 * MIB)));
        assertThat(refusedSessions.connectFailures()).isEqualTo(12);
        assertThat(refusedSessions.clean()).isFalse();

        SoakResult stopped =
                SoakResult.of(1000, 1500, 180, BEFORE, List.of(round(1, 3, 300 * MIB)), "round 2: only 1 opened");
        assertThat(stopped.clean()).isFalse();
        assertThat(stopped.summary()).contains("stopped in round 2");

        SoakResult none = SoakResult.of(1000, 1500, 180, BEFORE, List.of(), "round 1: refused");
        assertThat(none.clean()).isFalse();
        assertThat(none.summary()).contains("no round completed");
    }

    private static SoakResult soakWithSecondRound(SoakResult.Round second) {
        return SoakResult.of(1000, 1500, 180, BEFORE, List.of(round(1, 3, 300 * MIB), second), null);
    }

    private static SoakResult.Round round(int n, double minutes, long heap) {
        return new SoakResult.Round(n, minutes, phase(1000, 1000, 1000, 0, 0), 0, 0, snapshot(heap));
    }

    private static ServerProbe.Snapshot snapshot(long heap) {
        return new ServerProbe.Snapshot(heap, 0, 0, 2 * heap, 150, 300, true);
    }

    private static PhaseResult phase(long sent, long acked, long delivered, long lost, long misrouted) {
        LatencySummary latency = new LatencySummary(1, 2, 3, 4, 5, 6, 7);
        return new PhaseResult(
                "soak", "direct", 1000, 1500, 180, 1500, sent, acked, 0, delivered, lost, 0, 0, misrouted, 1500,
                latency, latency, 0, Map.of(), Map.of(), -1, -1, 0, 0);
    }
}
