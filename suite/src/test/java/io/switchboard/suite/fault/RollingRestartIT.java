package io.switchboard.suite.fault;

import static io.switchboard.suite.fault.ProcessSuite.awaitCondition;
import static io.switchboard.suite.fault.ProcessSuite.daemon;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A rolling restart under traffic, as a container platform does it: the suite runs as separate
 * processes (as in {@link FaultInjectionIT}), 20 users on both gateway nodes exchange messages
 * continuously, and each gateway node in turn gets SIGTERM, drains (docs/architecture.md,
 * "Shutdown"), exits, and is started again; its users come back home. Then sending stops and the
 * promise is checked as after the kills: 0 acknowledged messages lost, 0 duplicates seen by the
 * application, seq +1 per device. On top: each node exits by itself well within its drain timeout,
 * every one of its clients was told with 1012, and presence announced nobody offline (the users were
 * online again on the other node within the presence grace).
 *
 * <p>Runs in the {@code fault-injection} Maven profile; about 80 s, build excluded (docs/fault-injection.md).
 */
@EnabledIfSystemProperty(named = "switchboard.fault-injection", matches = "true")
class RollingRestartIT {

    private static final int USERS = 20;
    private static final double MESSAGES_PER_SECOND_PER_USER = 4;
    private static final Duration WARM_UP = Duration.ofSeconds(4);
    private static final Duration TRAFFIC_AFTER_RESTART = Duration.ofSeconds(4);
    /** The gateways' own default drain settings (switchboard.drain.*), spelled out for the checks. */
    private static final Duration DRAIN_SPREAD = Duration.ofSeconds(5);

    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration RECONNECT_SETTLE_TIMEOUT = Duration.ofSeconds(20);

    private final Path root = Path.of("target", "rolling-restart").toAbsolutePath();
    private final List<FaultClient> clients = new ArrayList<>();
    private final Ledger ledger = new Ledger();
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(3, daemon("rolling-timer"));
    private final ExecutorService httpThreads = Executors.newFixedThreadPool(3, daemon("rolling-ws"));
    private final StringBuilder report = new StringBuilder();
    private final HttpClient http =
            HttpClient.newBuilder().executor(httpThreads).build();
    private ProcessSuite suite;

    /** One node's restart: how long its drain took (SIGTERM to exit) and what was in flight. */
    private record Restart(String node, long terminatedAt, long exitMillis, long restartMillis, int unackedAtSigterm) {}

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aRollingRestartOfBothGatewaysUnderTrafficLosesAndDuplicatesNothing() throws Exception {
        long started = System.nanoTime();
        suite = new ProcessSuite(
                root,
                List.of(
                        "--switchboard.drain.spread=" + DRAIN_SPREAD.toMillis() + "ms",
                        "--switchboard.drain.timeout=" + DRAIN_TIMEOUT.toMillis() + "ms"));
        suite.start();
        line("suite up in %.1f s", seconds(started));
        List<URI> nodes = suite.gatewayWebSockets();
        List<String> users = new ArrayList<>();
        for (int i = 1; i <= USERS; i++) {
            users.add(String.format(Locale.ROOT, "user%02d", i));
        }
        for (int i = 0; i < USERS; i++) {
            String user = users.get(i);
            List<String> peers = users.stream().filter(u -> !u.equals(user)).toList();
            clients.add(new FaultClient(user, i < USERS / 2 ? 0 : 1, nodes, peers, ledger, http, timer));
        }
        clients.forEach(FaultClient::start);
        awaitCondition(
                Duration.ofSeconds(30),
                () -> clients.stream().allMatch(FaultClient::isWelcomed),
                "all clients welcomed");
        clients.forEach(c -> c.startSending(MESSAGES_PER_SECOND_PER_USER));
        long trafficStarted = System.nanoTime();
        Thread.sleep(WARM_UP.toMillis());
        line("warm-up: %d acknowledged, %d delivered", ledger.ackedCount(), ledger.deliveredCount());

        List<Restart> restarts = new ArrayList<>();
        for (int index = 0; index < 2; index++) {
            JvmPart node = suite.gateway(index);
            int unacked = clients.stream().mapToInt(FaultClient::unackedCount).sum();
            long terminatedAt = System.nanoTime();
            boolean exited = node.terminate(DRAIN_TIMEOUT.plusSeconds(10));
            long exitedAt = System.nanoTime();
            assertThat(exited)
                    .as("%s exits by itself after SIGTERM", node.name())
                    .isTrue();
            node.start();
            node.awaitReady(ProcessSuite.READY_TIMEOUT);
            long readyAt = System.nanoTime();
            Restart r = new Restart(
                    node.name(),
                    terminatedAt,
                    (exitedAt - terminatedAt) / 1_000_000,
                    (readyAt - exitedAt) / 1_000_000,
                    unacked);
            restarts.add(r);
            line(
                    "SIGTERM %s at t+%.1f s (%d sends unacknowledged then): exited after %.1f s, serving again %.1f s later;"
                            + " %d acknowledged, %d delivered so far",
                    r.node(),
                    (terminatedAt - trafficStarted) / 1e9,
                    unacked,
                    r.exitMillis() / 1e3,
                    r.restartMillis() / 1e3,
                    ledger.ackedCount(),
                    ledger.deliveredCount());
            clients.forEach(FaultClient::goHome);
            Thread.sleep(TRAFFIC_AFTER_RESTART.toMillis());
        }

        clients.forEach(FaultClient::stopSending);
        long sendingStopped = System.nanoTime();
        line("sending stopped at t+%.1f s", (sendingStopped - trafficStarted) / 1e9);
        int stuck = DeliveryChecks.settle(
                clients, ledger, SETTLE_TIMEOUT, RECONNECT_SETTLE_TIMEOUT, text -> line("%s", text));
        double offlineAnnounced = presenceOfflineDetections();
        report(restarts, started, trafficStarted, sendingStopped, offlineAnnounced);

        DeliveryChecks.assertPromiseKept(clients, ledger, stuck);
        for (Restart r : restarts) {
            assertThat(Duration.ofMillis(r.exitMillis()))
                    .as("%s: SIGTERM to exit", r.node())
                    .isLessThan(DRAIN_TIMEOUT);
        }
        for (FaultClient c : clients) {
            // home node drained once, the other node once more while the user was back home
            assertThat(c.drainCloses.get())
                    .as("%s: connections closed with 1012", c.user())
                    .isGreaterThanOrEqualTo(1);
        }
        assertThat(offlineAnnounced)
                .as("users announced offline by presence during the rolling restart")
                .isZero();

        // The check above can fail: a user who really leaves is announced offline after the grace.
        FaultClient leaving = clients.get(0);
        leaving.stop();
        awaitCondition(
                Duration.ofSeconds(15),
                () -> presenceOfflineDetections() >= 1,
                "presence announces a user who left as offline");
    }

    /** presence-service's {@code switchboard.presence.detections} (users announced offline), all causes. */
    private double presenceOfflineDetections() {
        try {
            String body = http.send(
                            HttpRequest.newBuilder(suite.presenceHttp().resolve("/actuator/prometheus"))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            return body.lines()
                    .filter(l -> l.startsWith("switchboard_presence_detections_total"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                    .sum();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void report(
            List<Restart> restarts, long started, long trafficStarted, long sendingStopped, double offlineAnnounced)
            throws IOException {
        List<Long> reconnects = new ArrayList<>();
        clients.forEach(c -> reconnects.addAll(c.drainReconnectMillis));
        reconnects.sort(null);
        List<Long> latencies = ledger.ackToDeliveryMillis();
        line("---- rolling-restart report ----");
        line(
                "users %d, %.0f msg/s each; drain spread %d ms, timeout %d ms; whole run %.1f s, traffic %.1f s",
                USERS,
                MESSAGES_PER_SECOND_PER_USER,
                DRAIN_SPREAD.toMillis(),
                DRAIN_TIMEOUT.toMillis(),
                seconds(started),
                seconds(trafficStarted));
        line("messages sent (distinct cids)      %d", sum(c -> c.sent.get()));
        line("messages acknowledged              %d", ledger.ackedCount());
        line("messages delivered (after dedup)   %d", ledger.deliveredCount());
        line("acknowledged but not delivered     %d", ledger.undelivered().size());
        line("sends repeated with the same cid   %d", sum(c -> c.resent.get()));
        line("'unavailable' answers              %d", sum(c -> c.unavailable.get()));
        line("msg frames received (raw)          %d", sum(c -> c.received.get()));
        line("raw redeliveries (dropped by id)   %d", sum(c -> c.rawRedeliveries.get()));
        line("connections (welcomes)             %d", sum(c -> c.welcomes.get()));
        line("connections closed with 1012       %d", sum(c -> c.drainCloses.get()));
        line("violations                         %d", ledger.violations().size());
        ledger.violations().stream().limit(20).forEach(v -> line("  %s", v));
        line("users announced offline            %.0f", offlineAnnounced);
        if (!reconnects.isEmpty()) {
            line(
                    "1012 close -> next welcome ms     p50 %d, p90 %d, max %d (n=%d)",
                    reconnects.get(reconnects.size() / 2),
                    reconnects.get((int) (reconnects.size() * 0.9)),
                    reconnects.get(reconnects.size() - 1),
                    reconnects.size());
        }
        if (!latencies.isEmpty()) {
            line(
                    "ack -> delivery ms                 p50 %d, p99 %d, max %d",
                    latencies.get(latencies.size() / 2),
                    latencies.get((int) (latencies.size() * 0.99)),
                    latencies.get(latencies.size() - 1));
        }
        for (int i = 0; i < restarts.size(); i++) {
            Restart r = restarts.get(i);
            long until = i + 1 < restarts.size() ? restarts.get(i + 1).terminatedAt() : sendingStopped;
            line(
                    "  %s: SIGTERM -> exit %.1f s, restart %.1f s, unacked at SIGTERM %d, longest pause without ack %.1f s, without delivery %.1f s",
                    r.node(),
                    r.exitMillis() / 1e3,
                    r.restartMillis() / 1e3,
                    r.unackedAtSigterm(),
                    ledger.longestAckPauseMillis(r.terminatedAt(), until) / 1e3,
                    ledger.longestDeliveryPauseMillis(r.terminatedAt(), until) / 1e3);
        }
        Files.writeString(root.resolve("report.txt"), report.toString(), StandardCharsets.UTF_8);
    }

    @AfterEach
    void stopEverything() {
        clients.forEach(FaultClient::stop);
        timer.shutdownNow();
        if (suite != null) {
            suite.close();
        }
        httpThreads.shutdownNow();
    }

    private long sum(java.util.function.ToLongFunction<FaultClient> counter) {
        return clients.stream().mapToLong(counter).sum();
    }

    private void line(String format, Object... args) {
        String text = String.format(Locale.ROOT, format, args);
        System.out.println("[rolling-restart] " + text);
        report.append(text).append('\n');
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }
}
