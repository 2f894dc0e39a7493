package io.switchboard.suite.fault;

import static io.switchboard.suite.fault.ProcessSuite.awaitCondition;
import static io.switchboard.suite.fault.ProcessSuite.daemon;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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
 * The delivery promise under {@code kill -9}: the whole suite runs as separate processes (redis-server,
 * a Kafka broker in its own JVM, offline, routing, presence and two gateway nodes each in its own
 * JVM), 20 users on both nodes exchange messages continuously, and a gateway node, routing-service,
 * offline-service, presence-service, the Kafka broker and redis-server are each killed with SIGKILL
 * in turn and restarted on the same ports and data. Then sending stops, every acknowledged message
 * must reach its recipient, and the check is: 0 acknowledged messages lost, 0 duplicates seen by the
 * application after dedup by id, seq strictly increasing by one per device (see
 * docs/fault-injection.md).
 *
 * <p>Runs only in the {@code fault-injection} Maven profile (it takes about 3 minutes).
 */
@EnabledIfSystemProperty(named = "switchboard.fault-injection", matches = "true")
class FaultInjectionIT {

    private static final int USERS = 20;
    private static final double MESSAGES_PER_SECOND_PER_USER = 4;
    private static final Duration WARM_UP = Duration.ofSeconds(8);
    private static final Duration DOWN = Duration.ofSeconds(2);
    private static final Duration TRAFFIC_AFTER_RESTART = Duration.ofSeconds(5);
    private static final Duration READY_TIMEOUT = ProcessSuite.READY_TIMEOUT;
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration RECONNECT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration TIMELINE_STEP = Duration.ofSeconds(5);

    private final Path root = Path.of("target", "fault-injection").toAbsolutePath();
    private ProcessSuite suite;
    private final List<FaultClient> clients = new ArrayList<>();
    private final Ledger ledger = new Ledger();
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(3, daemon("fault-timer"));
    private final ExecutorService httpThreads = Executors.newFixedThreadPool(3, daemon("fault-ws"));
    private final StringBuilder report = new StringBuilder();

    /** One fault: what was killed, when, and how long its restart took to serve. */
    private record Fault(String part, long killedAt, long readyAfterMillis) {}

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void noAcknowledgedMessageIsLostWhenEachPartIsKilledAndRestarted() throws Exception {
        long started = System.nanoTime();
        suite = new ProcessSuite(root, List.of());
        suite.start();
        line(
                "suite up in %.1f s (redis %d, kafka %s, gateways %d and %d)",
                seconds(started),
                suite.redisPort(),
                suite.kafkaBootstrap(),
                suite.gatewayPort(0),
                suite.gatewayPort(1));

        HttpClient http = HttpClient.newBuilder().executor(httpThreads).build();
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
        List<long[]> timeline = Collections.synchronizedList(new ArrayList<>());
        timer.scheduleAtFixedRate(
                () -> timeline.add(new long[] {ledger.ackedCount(), ledger.deliveredCount()}),
                0,
                TIMELINE_STEP.toMillis(),
                TimeUnit.MILLISECONDS);
        Thread.sleep(WARM_UP.toMillis());
        line("warm-up: %d acknowledged, %d delivered", ledger.ackedCount(), ledger.deliveredCount());

        List<Fault> faults = new ArrayList<>();
        for (String target :
                List.of("gw-1", "routing-service", "offline-service", "presence-service", "kafka", "redis-server")) {
            Part part = suite.part(target);
            long oldPid = part.pid();
            long killedAt = System.nanoTime();
            part.kill();
            Thread.sleep(DOWN.toMillis());
            part.start();
            part.awaitReady(READY_TIMEOUT);
            long readyAt = System.nanoTime();
            faults.add(new Fault(target, killedAt, (readyAt - killedAt) / 1_000_000));
            line(
                    "killed %-16s (pid %d) at t+%5.1f s, serving again after %5.1f s (pid %d); %d acknowledged, %d delivered so far",
                    target,
                    oldPid,
                    (killedAt - trafficStarted) / 1e9,
                    (readyAt - killedAt) / 1e9,
                    part.pid(),
                    ledger.ackedCount(),
                    ledger.deliveredCount());
            if (target.equals("gw-1")) {
                // its users roam back once it is up: a second reconnect, through the other node again
                clients.forEach(FaultClient::goHome);
            }
            Thread.sleep(TRAFFIC_AFTER_RESTART.toMillis());
        }

        clients.forEach(FaultClient::stopSending);
        long drainStarted = System.nanoTime();
        line("sending stopped at t+%.1f s; draining", (drainStarted - trafficStarted) / 1e9);
        int stuck = DeliveryChecks.settle(clients, ledger, DRAIN_TIMEOUT, RECONNECT_DRAIN_TIMEOUT, t -> line("%s", t));

        report(faults, started, trafficStarted, drainStarted, timeline);

        DeliveryChecks.assertPromiseKept(clients, ledger, stuck);
    }

    private void report(
            List<Fault> faults, long started, long trafficStarted, long sendingStopped, List<long[]> timeline)
            throws IOException {
        long sent = sum(c -> c.sent.get());
        long resent = sum(c -> c.resent.get());
        long unavailable = sum(c -> c.unavailable.get());
        long received = sum(c -> c.received.get());
        long redeliveries = sum(c -> c.rawRedeliveries.get());
        long attempts = sum(c -> c.reconnects.get());
        long welcomes = sum(c -> c.welcomes.get());
        List<Long> latencies = ledger.ackToDeliveryMillis();
        line("---- fault-injection report ----");
        line(
                "users %d, %.0f msg/s each; whole run %.1f s, traffic %.1f s",
                USERS, MESSAGES_PER_SECOND_PER_USER, seconds(started), seconds(trafficStarted));
        line("messages sent (distinct cids)      %d", sent);
        line("messages acknowledged              %d", ledger.ackedCount());
        line("messages delivered (after dedup)   %d", ledger.deliveredCount());
        line("acknowledged but not delivered     %d", ledger.undelivered().size());
        line(
                "sends repeated with the same cid   %d (after reconnects: all unacked; %d after 'unavailable')",
                resent, unavailable);
        line("msg frames received (raw)          %d", received);
        line("raw redeliveries (dropped by id)   %d", redeliveries);
        line("connections (welcomes)             %d (reconnect attempts %d)", welcomes, attempts);
        line(
                "clients on their home node at end   %d of %d",
                clients.stream().filter(FaultClient::onHomeNode).count(), clients.size());
        line("violations                         %d", ledger.violations().size());
        ledger.violations().stream().limit(20).forEach(v -> line("  %s", v));
        if (!latencies.isEmpty()) {
            line(
                    "ack -> delivery ms                 p50 %d, p99 %d, max %d",
                    latencies.get(latencies.size() / 2),
                    latencies.get((int) (latencies.size() * 0.99)),
                    latencies.get(latencies.size() - 1));
        }
        line("recovery per fault (from the kill until the next one): restarted part serving after |"
                + " longest time without any ack | without any delivery");
        for (int i = 0; i < faults.size(); i++) {
            Fault f = faults.get(i);
            long until = i + 1 < faults.size() ? faults.get(i + 1).killedAt() : sendingStopped;
            line(
                    "  %-16s %5.1f s | %5.1f s | %5.1f s",
                    f.part(),
                    f.readyAfterMillis() / 1e3,
                    ledger.longestAckPauseMillis(f.killedAt(), until) / 1e3,
                    ledger.longestDeliveryPauseMillis(f.killedAt(), until) / 1e3);
        }
        line("acknowledged / delivered per %d s since traffic started:", TIMELINE_STEP.toSeconds());
        StringBuilder acks = new StringBuilder();
        StringBuilder deliveries = new StringBuilder();
        List<long[]> samples;
        synchronized (timeline) {
            samples = new ArrayList<>(timeline);
        }
        for (int i = 1; i < samples.size(); i++) {
            acks.append(' ').append(samples.get(i)[0] - samples.get(i - 1)[0]);
            deliveries.append(' ').append(samples.get(i)[1] - samples.get(i - 1)[1]);
        }
        line("  acked    %s", acks);
        line("  delivered%s", deliveries);
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
        System.out.println("[fault-injection] " + text);
        report.append(text).append('\n');
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }
}
