package io.switchboard.loadgen;

import io.switchboard.loadgen.client.LoadClient;
import io.switchboard.loadgen.client.Tokens;
import io.switchboard.loadgen.metrics.ActuatorClient;
import io.switchboard.loadgen.report.MarkdownReport;
import io.switchboard.loadgen.report.RunReport;
import io.switchboard.loadgen.scenario.IdleScenario;
import io.switchboard.loadgen.scenario.MessagingScenario;
import io.switchboard.loadgen.scenario.Pattern;
import io.switchboard.loadgen.scenario.PhaseResult;
import io.switchboard.loadgen.scenario.ReconnectScenario;
import io.switchboard.loadgen.scenario.SoakResult;
import io.switchboard.loadgen.scenario.SoakScenario;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The load generator's command line. Every run is bounded in time and in messages, and talks only to
 * the gateways it is given (loopback unless {@code --allow-remote}).
 */
@Command(
        name = "loadgen",
        mixinStandardHelpOptions = true,
        description = "Switchboard load generator (protocol v1).",
        subcommands = {
            Loadgen.Messaging.class,
            Loadgen.Idle.class,
            Loadgen.Reconnect.class,
            Loadgen.Soak.class,
            StandardSet.class,
            Loadgen.Render.class,
            CommandLine.HelpCommand.class
        })
public final class Loadgen {

    /** Refuses runs longer than this: a load generator that forgets to stop is a hazard. */
    static final Duration MAX_PHASE = Duration.ofHours(1);

    /**
     * The longest soak: it starts no round after this (rounds of at most {@link #MAX_PHASE}, each
     * followed by its drain and readings).
     */
    static final Duration MAX_SOAK = Duration.ofHours(24);

    public static void main(String[] args) {
        int code = new CommandLine(new Loadgen())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .execute(args);
        System.exit(code);
    }

    /** Options every scenario shares. */
    static final class Common {
        @Option(
                names = "--gateway",
                split = ",",
                description = "Gateway WebSocket URLs (comma-separated or repeated). Default: ${DEFAULT-VALUE}",
                defaultValue = "ws://127.0.0.1:8081/ws,ws://127.0.0.1:8082/ws")
        List<URI> gateways;

        @Option(
                names = "--secret",
                description = "HS256 secret to sign tokens with. Default: $SWITCHBOARD_JWT_SECRET, else the local"
                        + " suite's development secret.")
        String secret;

        @Option(names = "--threads", defaultValue = "2", description = "Client event-loop threads. Default: 2")
        int threads;

        @Option(names = "--json", description = "Also write the results as JSON to this file.")
        Path json;

        @Option(names = "--allow-remote", description = "Allow gateways that are not on this machine (loopback).")
        boolean allowRemote;

        LoadClient client() {
            for (URI g : gateways) {
                checkTarget(g, allowRemote);
            }
            String s = secret;
            if (s == null || s.isBlank()) {
                s = System.getenv().getOrDefault("SWITCHBOARD_JWT_SECRET", "");
            }
            if (s.isBlank()) {
                s = Tokens.LOCAL_DEVELOPMENT_SECRET;
            }
            return new LoadClient(new Tokens(s, Duration.ofHours(12)), threads);
        }

        Map<String, String> settings() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("gateways", gateways.toString());
            m.put("load generator event-loop threads", Integer.toString(threads));
            return m;
        }
    }

    /** Loopback only, unless the operator says otherwise. */
    static void checkTarget(URI uri, boolean allowRemote) {
        if (!"ws".equals(uri.getScheme()) && !"wss".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
            throw new CommandLine.ParameterException(
                    new CommandLine(new Loadgen()), "not a ws:// or wss:// URL: " + uri);
        }
        if (allowRemote) {
            return;
        }
        try {
            for (InetAddress a : InetAddress.getAllByName(uri.getHost())) {
                if (!a.isLoopbackAddress()) {
                    throw new CommandLine.ParameterException(
                            new CommandLine(new Loadgen()),
                            uri.getHost() + " is not this machine; pass --allow-remote to load a remote gateway");
                }
            }
        } catch (UnknownHostException e) {
            throw new CommandLine.ParameterException(new CommandLine(new Loadgen()), "unknown host " + uri.getHost());
        }
    }

    static Duration bounded(Duration d, String what) {
        if (d.isNegative() || d.compareTo(MAX_PHASE) > 0) {
            throw new IllegalArgumentException(what + " must be between 0 and " + MAX_PHASE);
        }
        return d;
    }

    static void finish(Common common, RunReport report, Path markdown) throws Exception {
        if (common.json != null) {
            report.writeJson(common.json);
            System.out.println("results: " + common.json);
        }
        if (markdown != null) {
            Files.writeString(markdown, MarkdownReport.render(report, "", ""));
            System.out.println("report: " + markdown);
        }
    }

    @Command(
            name = "messaging",
            mixinStandardHelpOptions = true,
            description = "Open-loop messaging between the load generator's connections: direct (cross-node),"
                    + " fan-in or fan-out; one rate, or steps up to the first loss or p99 over the limit.")
    static final class Messaging implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Option(names = "--pattern", defaultValue = "direct", description = "direct, fan_in or fan_out")
        Pattern pattern;

        @Option(names = "--connections", defaultValue = "1000")
        int connections;

        @Option(names = "--rate", defaultValue = "1000", description = "Aggregate messages per second.")
        double rate;

        @Option(names = "--duration", defaultValue = "PT30S", description = "ISO-8601, e.g. PT30S")
        Duration duration;

        @Option(names = "--warmup", defaultValue = "PT10S", description = "Unreported warm-up before measuring.")
        Duration warmup;

        @Option(names = "--warmup-rate", defaultValue = "2000")
        double warmupRate;

        @Option(names = "--drain", defaultValue = "PT10S", description = "Wait at most this after sending.")
        Duration drain;

        @Option(names = "--padding", defaultValue = "32", description = "Body padding characters.")
        int padding;

        @Option(names = "--step", description = "Step mode: raise the rate until loss or p99 >= --p99-limit.")
        boolean step;

        @Option(names = "--step-by", defaultValue = "2000")
        double stepBy;

        @Option(names = "--step-max", defaultValue = "30000")
        double stepMax;

        @Option(names = "--p99-limit", defaultValue = "50", description = "ms")
        double p99Limit;

        @Option(names = "--connect-concurrency", defaultValue = "200")
        int concurrency;

        @Option(names = "--server-pid", description = "The server's pid: report its CPU time per message.")
        Long serverPid;

        @Option(
                names = "--recv-delay",
                defaultValue = "PT0.2S",
                description = "Confirm receipt with recv this long after the first unconfirmed message (as the SDK).")
        Duration recvDelay;

        @Option(
                names = "--recv-batch",
                defaultValue = "100",
                description = "... or once this many are unconfirmed; 0: never confirm.")
        int recvBatch;

        @Override
        public Integer call() throws Exception {
            bounded(duration, "--duration");
            bounded(warmup, "--warmup");
            bounded(drain, "--drain");
            RunReport report = RunReport.start(common.settings());
            long budget = (long) (warmupRate * warmup.toSeconds()
                    + (step ? stepMax * duration.toSeconds() * (stepMax / stepBy + 1) : rate * duration.toSeconds())
                    + 1000);
            try (LoadClient client = common.client();
                    MessagingScenario s = new MessagingScenario(
                                    client,
                                    pattern,
                                    common.gateways,
                                    connections,
                                    (int) Math.min(Integer.MAX_VALUE - 8, budget),
                                    padding,
                                    System.out::println)
                            .serverProcess(serverPid)
                            .confirmations(recvDelay.toMillis(), recvBatch)) {
                var opened = s.open(concurrency, Duration.ofMinutes(2));
                System.out.printf(
                        "%d connections open in %.1f s (%.0f/s), %d failed%n",
                        opened.connections().size(), opened.seconds(), opened.perSecond(), opened.failed());
                if (!warmup.isZero()) {
                    s.phase("warm-up @" + (long) warmupRate + "/s", warmupRate, warmup, drain);
                }
                List<PhaseResult> results = step
                        ? s.steps(rate, stepBy, stepMax, duration, drain, p99Limit)
                        : List.of(s.phase(
                                pattern.name().toLowerCase() + " " + connections + "c @" + (long) rate + "/s",
                                rate,
                                duration,
                                drain));
                report.messaging().addAll(results);
                finish(common, report, null);
                return results.stream().allMatch(r -> r.lost() == 0) ? 0 : 2;
            }
        }
    }

    @Command(
            name = "idle",
            mixinStandardHelpOptions = true,
            description = "Open N idle sessions on the first --gateway; report connect rate and memory per session.")
    static final class Idle implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Option(names = "--connections", defaultValue = "15000")
        int connections;

        @Option(names = "--connect-concurrency", defaultValue = "256")
        int concurrency;

        @Option(names = "--gateway-pid", description = "The gateway JVM's pid: full GC before measuring, and RSS.")
        Long pid;

        @Option(names = "--settle", defaultValue = "PT5S")
        Duration settle;

        @Override
        public Integer call() throws Exception {
            RunReport report = RunReport.start(common.settings());
            try (LoadClient client = common.client()) {
                report.idle()
                        .add(new IdleScenario(client, common.gateways.get(0), pid, System.out::println)
                                .run(connections, concurrency, bounded(settle, "--settle")));
            }
            finish(common, report, null);
            return 0;
        }
    }

    @Command(
            name = "reconnect",
            mixinStandardHelpOptions = true,
            description = "Store messages for offline devices, connect them all at once, time until all caught up.")
    static final class Reconnect implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Option(names = "--devices", defaultValue = "1")
        int devices;

        @Option(names = "--messages", defaultValue = "10000", description = "Stored messages per device.")
        int messages;

        @Option(names = "--fill-rate", defaultValue = "5000", description = "Messages per second while storing.")
        double fillRate;

        @Option(names = "--timeout", defaultValue = "PT60S")
        Duration timeout;

        @Option(names = "--offline-url", description = "offline-service HTTP root, to wait until all are stored.")
        URI offline;

        @Override
        public Integer call() throws Exception {
            RunReport report = RunReport.start(common.settings());
            if (offline != null) {
                checkTarget(offline, common.allowRemote);
            }
            try (LoadClient client = common.client()) {
                report.reconnect()
                        .add(new ReconnectScenario(
                                        client,
                                        common.gateways,
                                        offline == null ? null : new ActuatorClient(offline),
                                        System.out::println)
                                .run(
                                        "reconnect",
                                        devices,
                                        messages,
                                        fillRate,
                                        bounded(timeout, "--timeout"),
                                        Math.min(devices, 1000)));
            }
            finish(common, report, null);
            return 0;
        }
    }

    @Command(
            name = "soak",
            mixinStandardHelpOptions = true,
            description = "A long run in rounds: fresh sessions each round send direct messages, then close;"
                    + " after each round the server's heap (after full GCs), resident memory, threads, open"
                    + " files and open sessions are read. Exit code 2 on any message lost, duplicated, misrouted,"
                    + " out of order or not acknowledged, any session that failed to open or was left open,"
                    + " or a round that could not run.")
    static final class Soak implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Option(names = "--connections", defaultValue = "1000")
        int connections;

        @Option(names = "--rate", defaultValue = "1500", description = "Aggregate messages per second.")
        double rate;

        @Option(names = "--duration", defaultValue = "PT30M", description = "The whole soak, ISO-8601.")
        Duration duration;

        @Option(names = "--round", defaultValue = "PT3M", description = "One round's sending time.")
        Duration round;

        @Option(names = "--drain", defaultValue = "PT10S", description = "Wait at most this after each round.")
        Duration drain;

        @Option(
                names = "--server-pid",
                description = "The server's pid (the local suite's JVM): full GCs before reading its heap,"
                        + " and its resident memory, threads and open files.")
        Long serverPid;

        @Override
        public Integer call() throws Exception {
            if (duration.isNegative() || duration.compareTo(MAX_SOAK) > 0) {
                throw new IllegalArgumentException("--duration must be between 0 and " + MAX_SOAK);
            }
            if (bounded(round, "--round").compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("--round must be at least 1 s");
            }
            bounded(drain, "--drain");
            SoakResult result;
            try (LoadClient client = common.client()) {
                result = new SoakScenario(client, common.gateways, serverPid, System.out::println)
                        .run(connections, rate, duration, round, drain);
            }
            if (common.json != null) {
                RunReport.writeJson(common.json, result);
                System.out.println("results: " + common.json);
            }
            return result.clean() ? 0 : 2;
        }
    }

    @Command(
            name = "render",
            mixinStandardHelpOptions = true,
            description = "Render a results JSON file (from --json) as Markdown again, e.g. after editing the prose.")
    static final class Render implements Callable<Integer> {
        @CommandLine.Parameters(index = "0", description = "results JSON")
        Path json;

        @Option(names = "--markdown", required = true)
        Path markdown;

        @Option(names = "--intro")
        Path intro;

        @Option(names = "--analysis")
        Path analysis;

        @Override
        public Integer call() throws Exception {
            RunReport report = io.switchboard.protocol.Json.MAPPER.readValue(Files.readString(json), RunReport.class);
            Files.writeString(
                    markdown,
                    MarkdownReport.render(
                            report,
                            intro == null ? "" : Files.readString(intro),
                            analysis == null ? "" : Files.readString(analysis)));
            System.out.println("report: " + markdown);
            return 0;
        }
    }
}
