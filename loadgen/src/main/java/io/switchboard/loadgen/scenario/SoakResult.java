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
 * @param connectFailures sessions that failed to open, over all rounds; should be 0 (a server that
 *     leaks sockets runs out of files and refuses connections)
 * @param failure why the soak stopped before its last round, or {@code null}
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
        long acked,
        long misrouted,
        long connectFailures,
        double heapGrowthBytesPerHour,
        double rssGrowthBytesPerHour,
        double maxSessionsLeftOpen,
        String failure) {

    /**
     * @param endMinutes minutes from the start of the soak to the reading
     * @param connectFailures the round's sessions that failed to open
     * @param sessionsOpen sessions the gateways counted as open after the round's were closed, or -1
     *     if a gateway did not tell
     * @param server the server after the round
     */
    public record Round(
            int round,
            double endMinutes,
            PhaseResult messaging,
            int connectFailures,
            double sessionsOpen,
            ServerProbe.Snapshot server) {}

    static SoakResult of(
            int connections,
            double rate,
            long roundSeconds,
            ServerProbe.Snapshot before,
            List<Round> rounds,
            String failure) {
        return new SoakResult(
                connections,
                rate,
                roundSeconds,
                before,
                List.copyOf(rounds),
                total(rounds, PhaseResult::sent),
                total(rounds, PhaseResult::delivered),
                total(rounds, PhaseResult::lost),
                total(rounds, PhaseResult::duplicates),
                total(rounds, PhaseResult::outOfOrder),
                total(rounds, PhaseResult::refused),
                total(rounds, PhaseResult::acked),
                total(rounds, PhaseResult::misrouted),
                rounds.stream().mapToLong(Round::connectFailures).sum(),
                growthPerHour(rounds, s -> s.heap()),
                growthPerHour(rounds, s -> s.rss()),
                rounds.stream().mapToDouble(Round::sessionsOpen).max().orElse(0),
                failure);
    }

    private static long total(List<Round> rounds, ToLongFunction<PhaseResult> count) {
        return rounds.stream().mapToLong(r -> count.applyAsLong(r.messaging())).sum();
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

    /**
     * Every round ran; every session opened; every message acknowledged and delivered once, in order,
     * to its own recipient; and after every round the gateways counted no open session (a gateway
     * that did not tell fails this too: a soak that could not check has not shown it).
     */
    public boolean clean() {
        return failure == null
                && !rounds.isEmpty()
                && connectFailures == 0
                && acked == sent
                && lost == 0
                && duplicates == 0
                && outOfOrder == 0
                && misrouted == 0
                && refused == 0
                && rounds.stream().allMatch(r -> r.sessionsOpen() == 0);
    }

    public String summary() {
        if (rounds.isEmpty()) {
            return "soak: no round completed" + (failure == null ? "" : "; stopped in " + failure);
        }
        Round last = rounds.get(rounds.size() - 1);
        return String.format(
                Locale.ROOT,
                "soak: %d rounds of %d s, %d connections @%.0f/s: sent %d acked %d delivered %d lost %d dup %d"
                        + " ooo %d misrouted %d refused %d failed to connect %d"
                        + " | heap %.1f → %.1f MiB (%+.1f MiB/h) | rss %.1f → %.1f MiB (%+.1f MiB/h)"
                        + " | threads %d → %d | open files %d → %d | sessions left open at most %.0f%s",
                rounds.size(),
                roundSeconds,
                connections,
                rate,
                sent,
                acked,
                delivered,
                lost,
                duplicates,
                outOfOrder,
                misrouted,
                refused,
                connectFailures,
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
                maxSessionsLeftOpen,
                failure == null ? "" : " | stopped in " + failure);
    }
}
