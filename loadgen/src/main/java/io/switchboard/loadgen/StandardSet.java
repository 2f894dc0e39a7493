package io.switchboard.loadgen;

import io.switchboard.loadgen.client.LoadClient;
import io.switchboard.loadgen.metrics.ActuatorClient;
import io.switchboard.loadgen.report.MarkdownReport;
import io.switchboard.loadgen.report.RunReport;
import io.switchboard.loadgen.report.TargetCheck;
import io.switchboard.loadgen.scenario.IdleResult;
import io.switchboard.loadgen.scenario.IdleScenario;
import io.switchboard.loadgen.scenario.MessagingScenario;
import io.switchboard.loadgen.scenario.Pattern;
import io.switchboard.loadgen.scenario.PhaseResult;
import io.switchboard.loadgen.scenario.ReconnectScenario;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The standard set behind docs/benchmarks.md, each part bounded in time (about 6 minutes of load, plus bounded pauses for backlogs to drain),
 * checked against the targets of issue #7.
 */
@Command(
        name = "standard",
        mixinStandardHelpOptions = true,
        description = "Run the standard benchmark set and write JSON and Markdown results.")
final class StandardSet implements Callable<Integer> {

    static final double P99_LIMIT_MS = 50;

    /** How long to let a backlog drain between parts, at most. */
    static final Duration QUIESCE = Duration.ofSeconds(60);

    @Mixin
    Loadgen.Common common = new Loadgen.Common();

    @Option(names = "--gateway-pid", description = "The gateways' JVM pid (full GC before memory readings, RSS).")
    Long pid;

    @Option(names = "--offline-url", description = "offline-service HTTP root (to know when messages are stored).")
    URI offline;

    @Option(names = "--markdown", description = "Write docs/benchmarks.md-style Markdown here.")
    Path markdown;

    @Option(names = "--intro", description = "Markdown file placed before the tables.")
    Path intro;

    @Option(names = "--analysis", description = "Markdown file placed after the tables.")
    Path analysis;

    @Option(names = "--scale", defaultValue = "1.0", description = "Multiplies durations (0.2 for a smoke run).")
    double scale;

    @Option(names = "--idle-connections", defaultValue = "15000")
    int idleConnections;

    @Option(
            names = "--only",
            split = ",",
            description = "Run only these parts: direct1k, direct5k, fan, idle, reconnect.")
    List<String> only;

    private boolean wants(String part) {
        return only == null || only.contains(part);
    }

    private Duration d(int seconds) {
        return Duration.ofMillis((long) (seconds * 1000 * scale));
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> settings = common.settings();
        settings.put("scale", Double.toString(scale));
        RunReport report = RunReport.start(settings);
        Duration drain = Duration.ofSeconds(10);
        try (LoadClient client = common.client()) {
            // Gentle parts first: an overloaded open-loop phase leaves a backlog in Kafka that the
            // suite works off for minutes, and everything measured after it would wait behind it.
            if (wants("reconnect")) {
                ActuatorClient offlineActuator = offline == null ? null : new ActuatorClient(offline);
                ReconnectScenario r =
                        new ReconnectScenario(client, common.gateways, offlineActuator, System.out::println);
                report.reconnect().add(r.run("1 device, 10,000 stored", 1, 10_000, 5000, Duration.ofSeconds(30), 1));
                report.reconnect()
                        .add(r.run("1,000 devices × 10 stored", 1000, 10, 5000, Duration.ofSeconds(30), 1000));
            }
            if (wants("idle")) {
                report.idle()
                        .add(new IdleScenario(client, common.gateways.get(0), pid, System.out::println)
                                .run(idleConnections, 256, Duration.ofSeconds(5)));
            }
            if (wants("fan")) {
                for (Pattern p : List.of(Pattern.FAN_IN, Pattern.FAN_OUT)) {
                    try (MessagingScenario s = new MessagingScenario(
                                    client, p, common.gateways, 200, 200_000, 32, System.out::println)
                            .serverProcess(pid)) {
                        s.open(200, Duration.ofMinutes(1));
                        String name = p == Pattern.FAN_IN ? "fan-in 199→1" : "fan-out 1→199";
                        report.messaging().add(s.phase(name + " @1000/s", 1000, d(15), drain));
                        s.quiesce(QUIESCE);
                    }
                }
            }
            if (wants("direct1k")) {
                try (MessagingScenario s = new MessagingScenario(
                                client, Pattern.DIRECT, common.gateways, 1000, 3_000_000, 32, System.out::println)
                        .serverProcess(pid)) {
                    s.open(200, Duration.ofMinutes(2));
                    s.phase("warm-up 1000c @1000/s", 1000, d(10), drain);
                    s.quiesce(QUIESCE);
                    report.messaging().add(s.phase("direct 1000c @1000/s", 1000, d(20), drain));
                    s.quiesce(QUIESCE);
                    report.messaging().addAll(s.steps(2000, 1000, 20000, d(10), drain, P99_LIMIT_MS));
                    s.quiesce(QUIESCE);
                    report.messaging().add(s.phase("direct 1000c @12000/s", 12000, d(15), drain));
                    s.quiesce(QUIESCE);
                }
            }
            if (wants("direct5k")) {
                try (MessagingScenario s = new MessagingScenario(
                                client, Pattern.DIRECT, common.gateways, 5000, 1_000_000, 32, System.out::println)
                        .serverProcess(pid)) {
                    s.open(250, Duration.ofMinutes(2));
                    report.messaging().add(s.phase("direct 5000c @7500/s", 7500, d(15), drain));
                }
            }
        }
        report.targets().addAll(checks(report));
        report.targets().forEach(t -> System.out.printf("%-70s %-60s %s%n", t.target(), t.measured(), t.verdict()));
        if (common.json != null) {
            report.writeJson(common.json);
            System.out.println("results: " + common.json);
        }
        if (markdown != null) {
            Files.writeString(markdown, MarkdownReport.render(report, read(intro), read(analysis)));
            System.out.println("report: " + markdown);
        }
        return 0;
    }

    private static String read(Path file) throws java.io.IOException {
        return file == null ? "" : Files.readString(file);
    }

    static List<TargetCheck> checks(RunReport report) {
        List<TargetCheck> checks = new java.util.ArrayList<>();
        phase(report, "direct 1000c @12000/s")
                .ifPresent(p -> checks.add(throughput("≥ 12,000 msg/s at 1,000 connections, 0 lost, p99 < 50 ms", p)));
        report.messaging().stream()
                .filter(p -> p.label().startsWith("step direct 1000c"))
                .filter(p -> p.clean(P99_LIMIT_MS))
                .reduce((a, b) -> b)
                .ifPresent(p -> checks.add(new TargetCheck(
                        "(step mode) highest clean rate at 1,000 connections",
                        String.format(
                                Locale.ROOT,
                                "%.0f msg/s, p99 %.1f ms",
                                p.deliveredPerSecond(),
                                p.latency().p99()),
                        p.targetRate() >= 12000 ? TargetCheck.MET : TargetCheck.MISSED)));
        phase(report, "direct 5000c @7500/s")
                .ifPresent(p -> checks.add(throughput("≥ 7,500 msg/s at 5,000 connections, 0 lost, p99 < 50 ms", p)));
        phase(report, "direct 1000c @1000/s")
                .ifPresent(p -> checks.add(new TargetCheck(
                        "p50 ≤ 5 ms at 1,000 msg/s",
                        String.format(
                                Locale.ROOT,
                                "p50 %.2f ms (p99 %.2f ms), lost %d",
                                p.latency().p50(),
                                p.latency().p99(),
                                p.lost()),
                        p.latency().p50() <= 5 && p.lost() == 0 ? TargetCheck.MET : TargetCheck.MISSED)));
        for (IdleResult i : report.idle()) {
            double perConnection = i.heapBytesPerConnection() + Math.max(0, i.nettyDirectBytesPerConnection());
            checks.add(new TargetCheck(
                    "15,000 idle connections on one node, ≤ 6 KiB each (heap + direct)",
                    String.format(
                            Locale.ROOT,
                            "%d open; %.1f KiB heap + %.1f KiB direct = %.1f KiB (RSS %.1f KiB)",
                            i.opened(),
                            i.heapBytesPerConnection() / 1024,
                            Math.max(0, i.nettyDirectBytesPerConnection()) / 1024,
                            perConnection / 1024,
                            i.rssBytesPerConnection() / 1024),
                    i.opened() >= 15000 && perConnection <= 6 * 1024 ? TargetCheck.MET : TargetCheck.MISSED));
        }
        report.reconnect().stream()
                .filter(r -> r.devices() == 1 && r.messagesPerDevice() == 10_000)
                .findFirst()
                .ifPresent(r -> checks.add(new TargetCheck(
                        "a device reconnecting with 10,000 stored messages has them all within 1 s",
                        r.replaySupported()
                                ? String.format(
                                        Locale.ROOT,
                                        "%.2f s, %d missing, %d duplicates",
                                        r.caughtUpSeconds(),
                                        r.missing(),
                                        r.duplicates())
                                : "server has no replay yet",
                        !r.replaySupported()
                                ? TargetCheck.PENDING
                                : r.caughtUp() == 1 && r.caughtUpSeconds() <= 1.0
                                        ? TargetCheck.MET
                                        : TargetCheck.MISSED)));
        return checks;
    }

    private static java.util.Optional<PhaseResult> phase(RunReport report, String label) {
        return report.messaging().stream().filter(p -> p.label().equals(label)).findFirst();
    }

    private static TargetCheck throughput(String target, PhaseResult p) {
        return new TargetCheck(
                target,
                String.format(
                        Locale.ROOT,
                        "%.0f delivered/s (sent %.0f/s), lost %d, p99 %.1f ms",
                        p.deliveredPerSecond(),
                        p.sendRate(),
                        p.lost(),
                        p.latency().p99()),
                p.clean(P99_LIMIT_MS) && p.sendRate() >= 0.98 * p.targetRate() ? TargetCheck.MET : TargetCheck.MISSED);
    }
}
