package io.switchboard.loadgen.scenario;

import io.switchboard.loadgen.client.LoadClient;
import io.switchboard.loadgen.metrics.ActuatorClient;
import io.switchboard.loadgen.metrics.ServerProbe;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A long run in rounds, to catch what a short benchmark cannot: memory, threads or open files that
 * grow with the messages or the sessions served, sessions the gateways fail to forget, and loss that
 * only shows after a while. Each round opens a fresh set of sessions (new users), sends direct messages
 * at a fixed rate, drains, closes them all, and then reads the server with no session open; a server
 * that keeps nothing per message or per closed session returns to the same figures every round.
 */
public final class SoakScenario {

    private final LoadClient client;
    private final List<URI> gateways;
    private final Long serverPid;
    private final ServerProbe server;
    private final List<ActuatorClient> gatewayActuators;
    private final Consumer<String> log;

    /**
     * @param serverPid the server's process id (the local suite's JVM): full GCs before reading the
     *     heap, and resident memory, threads and open files; {@code null}: heap as found, no OS figures
     */
    public SoakScenario(LoadClient client, List<URI> gateways, Long serverPid, Consumer<String> log) {
        this.client = client;
        this.gateways = List.copyOf(gateways);
        this.serverPid = serverPid;
        this.server = new ServerProbe(ActuatorClient.forGateway(gateways.get(0)), serverPid);
        this.gatewayActuators =
                this.gateways.stream().map(ActuatorClient::forGateway).toList();
        this.log = log;
    }

    /**
     * Runs up to {@code total / round} rounds (at least one) of {@code connections} sessions sending
     * {@code rate} direct messages per second for {@code round} each; starts no round once {@code total}
     * has passed (each round also takes its connecting, drain, close and readings), and stops at the
     * first round that cannot run (its sessions do not open), reporting the rounds before it.
     */
    public SoakResult run(int connections, double rate, Duration total, Duration round, Duration drain) {
        int rounds = (int) Math.max(1, total.toMillis() / round.toMillis());
        int perRound = (int) Math.min(Integer.MAX_VALUE - 8, (long) (rate * round.toMillis() / 1000.0) + 1000);
        long start = System.nanoTime();
        ServerProbe.Snapshot before = server.snapshot();
        log.accept("soak: before " + line(before, openSessions()));
        List<SoakResult.Round> results = new ArrayList<>(rounds);
        String failure = null;
        for (int i = 1; i <= rounds && (i == 1 || System.nanoTime() - start < total.toNanos()); i++) {
            PhaseResult phase;
            int connectFailures;
            try (MessagingScenario s = new MessagingScenario(
                            client, Pattern.DIRECT, gateways, connections, perRound, 32, log)
                    .serverProcess(serverPid)) {
                connectFailures = s.open(200, Duration.ofMinutes(2)).failed();
                phase = s.phase(
                        String.format(Locale.ROOT, "soak %d/%d %dc @%d/s", i, rounds, connections, (long) rate),
                        rate,
                        round,
                        drain);
            } catch (RuntimeException e) {
                failure = "round " + i + ": " + e.getMessage();
                log.accept("soak: stopped in " + failure);
                break;
            }
            double minutes = (System.nanoTime() - start) / 60e9;
            double sessions = openSessions();
            ServerProbe.Snapshot after = server.snapshot();
            results.add(
                    new SoakResult.Round(i, MessagingScenario.round(minutes), phase, connectFailures, sessions, after));
            log.accept(String.format(
                    Locale.ROOT,
                    "soak: after round %d (%.1f min): %s%s",
                    i,
                    minutes,
                    line(after, sessions),
                    connectFailures == 0 ? "" : ", " + connectFailures + " sessions failed to open"));
        }
        SoakResult result = SoakResult.of(connections, rate, round.toSeconds(), before, results, failure);
        log.accept(result.summary());
        return result;
    }

    /**
     * Sessions the gateways still count as open, or -1 if a gateway did not tell; closed sessions
     * should leave none. Read a moment after the close, as the gateways learn of it asynchronously.
     */
    private double openSessions() {
        double sum = 0;
        for (ActuatorClient gateway : gatewayActuators) {
            double open = -1;
            for (int attempt = 0; attempt < 20; attempt++) {
                open = gateway.value("switchboard.sessions.open").orElse(-1);
                if (open <= 0) {
                    break;
                }
                sleep(Duration.ofMillis(250));
            }
            if (open < 0) {
                return -1;
            }
            sum += open;
        }
        return sum;
    }

    private static String line(ServerProbe.Snapshot s, double sessions) {
        return String.format(
                Locale.ROOT,
                "heap %.1f MiB%s, direct %.1f MiB (Netty %.1f MiB), rss %.1f MiB, threads %d, open files %d,"
                        + " sessions open %.0f",
                s.heap() / 1048576.0,
                s.afterGc() ? " after GC" : "",
                s.jvmDirect() / 1048576.0,
                s.nettyDirect() / 1048576.0,
                s.rss() / 1048576.0,
                s.threads(),
                s.openFiles(),
                sessions);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
