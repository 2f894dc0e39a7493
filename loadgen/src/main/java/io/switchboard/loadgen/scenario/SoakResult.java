package io.switchboard.loadgen.scenario;

import io.switchboard.loadgen.metrics.ServerProbe;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * A soak run: every round's messaging result and the server's figures after it, with no session open.
 *
 * @param before the server before the first round
 * @param heapGrowthBytesPerHour how fast the heap (after full GCs) grew over the rounds, by least
 *     squares; from the second round on when there are three or more, since the first round still
 *     fills caches and compiles code. Near zero for a server that keeps nothing per message or per
 *     closed session
 * @param rssGrowthBytesPerHour the same for resident memory, which also counts heap pages touched for
 *     the first time and so settles later than the heap
 * @param maxSessionsLeftOpen the most sessions the gateways still counted as open after a round closed
 *     all of its own; should be 0
 */
public record SoakResult(
        int connections,
        double rate,
        long roundSeconds,
        ServerProbe.Snapshot before,
        List<Round> rounds,
        long sent,
        long delivered,
        long lost,
        long duplicates,
        long outOfOrder,
        long refused,
        double heapGrowthBytesPerHour,
        double rssGrowthBytesPerHour,
        double maxSessionsLeftOpen) {

    /**
     * @param endMinutes minutes from the start of the soak to the reading
     * @param sessionsOpen sessions the gateways counted as open after the round's were closed
     * @param server the server after the round
     */
    public record Round(
            int round, double endMinutes, PhaseResult messaging, double sessionsOpen, ServerProbe.Snapshot server) {}

    static SoakResult of(
            int connections, double rate, long roundSeconds, ServerProbe.Snapshot before, List<Round> rounds) {
        return new SoakResult(
                connections,
                rate,
                roundSeconds,
                before,
                List.copyOf(rounds),
                rounds.stream().mapToLong(r -> r.messaging().sent()).sum(),
                rounds.stream().mapToLong(r -> r.messaging().delivered()).sum(),
                rounds.stream().mapToLong(r -> r.messaging().lost()).sum(),
                rounds.stream().mapToLong(r -> r.messaging().duplicates()).sum(),
                rounds.stream().mapToLong(r -> r.messaging().outOfOrder()).sum(),
                rounds.stream().mapToLong(r -> r.messaging().refused()).sum(),
                growthPerHour(rounds, s -> s.heap()),
                growthPerHour(rounds, s -> s.rss()),
                rounds.stream().mapToDouble(Round::sessionsOpen).max().orElse(0));
    }

    /** Least-squares slope of {@code figure} over the rounds' end times, per hour; 0 with fewer than two. */
    static double growthPerHour(List<Round> rounds, ToLongFunction<ServerProbe.Snapshot> figure) {
        List<Round> settled = rounds.size() >= 3 ? rounds.subList(1, rounds.size()) : rounds;
        List<Round> known = settled.stream()
                .filter(r -> figure.applyAsLong(r.server()) >= 0)
                .toList();
        int n = known.size();
        if (n < 2) {
            return 0;
        }
        double meanX = known.stream().mapToDouble(Round::endMinutes).average().orElse(0);
        double meanY = known.stream()
                .mapToDouble(r -> figure.applyAsLong(r.server()))
                .average()
                .orElse(0);
        double covariance = 0;
        double variance = 0;
        for (Round r : known) {
            double dx = r.endMinutes() - meanX;
            covariance += dx * (figure.applyAsLong(r.server()) - meanY);
            variance += dx * dx;
        }
        return variance == 0 ? 0 : covariance / variance * 60;
    }

    /** No loss, no duplicate, no refusal, in order, and every round's sessions forgotten. */
    public boolean clean() {
        return lost == 0 && duplicates == 0 && outOfOrder == 0 && refused == 0 && maxSessionsLeftOpen <= 0;
    }

    public String summary() {
        Round last = rounds.get(rounds.size() - 1);
        return String.format(
                Locale.ROOT,
                "soak: %d rounds of %d s, %d connections @%.0f/s: sent %d delivered %d lost %d dup %d ooo %d"
                        + " refused %d | heap %.1f → %.1f MiB (%+.1f MiB/h) | rss %.1f → %.1f MiB (%+.1f MiB/h)"
                        + " | threads %d → %d | open files %d → %d | sessions left open at most %.0f",
                rounds.size(),
                roundSeconds,
                connections,
                rate,
                sent,
                delivered,
                lost,
                duplicates,
                outOfOrder,
                refused,
                before.heap() / 1048576.0,
                last.server().heap() / 1048576.0,
                heapGrowthBytesPerHour / 1048576.0,
                before.rss() / 1048576.0,
                last.server().rss() / 1048576.0,
                rssGrowthBytesPerHour / 1048576.0,
                before.threads(),
                last.server().threads(),
                before.openFiles(),
                last.server().openFiles(),
                maxSessionsLeftOpen);
    }
}
