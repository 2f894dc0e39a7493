package io.switchboard.loadgen.scenario;

import io.switchboard.loadgen.client.FrameListener;
import io.switchboard.loadgen.client.IncomingFrame;
import io.switchboard.loadgen.client.LoadClient;
import io.switchboard.loadgen.client.LoadConnection;
import io.switchboard.loadgen.metrics.ProcessProbe;
import io.switchboard.loadgen.stats.LatencyRecorder;
import io.switchboard.loadgen.stats.LatencySummary;
import io.switchboard.loadgen.stats.MessageLedger;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Messages between the load generator's own connections, open-loop: messages leave at a fixed
 * aggregate rate by the clock, whatever the server answers, so a slow server shows as latency and
 * loss rather than as a politely slower client. Latency is measured from the time a message was
 * <em>scheduled</em> to leave, so the load generator's own delays count against the result instead of
 * hiding (no coordinated omission).
 *
 * <p>Lifecycle: {@link #open} the connections once, then run any number of {@link #phase phases} on
 * them, then {@link #close}. Every user name carries a run id, so runs never see each other's inboxes.
 */
public final class MessagingScenario implements AutoCloseable {

    /** How long a phase waits at most, after its last send, for answers and deliveries. */
    public static final Duration DEFAULT_DRAIN = Duration.ofSeconds(10);

    /**
     * The sender sleeps at least this long when it is ahead, then sends every message that fell due
     * meanwhile. Waking once per message cost the load generator more CPU than sending it (a sixth of
     * its time at 7,000/s, taken from the server it shares the cores with). Latency is still measured
     * from each message's due time, so the wait counts against the server; at rates up to 2,000/s
     * messages are further apart than this and leave on time.
     */
    static final long MIN_SLEEP_NANOS = 500_000;

    /** The SDK's {@code recv} batching: 200 ms after the first unconfirmed message, or 100 messages. */
    public static final long DEFAULT_CONFIRM_DELAY_MILLIS = 200;

    public static final int DEFAULT_CONFIRM_BATCH = 100;

    private final LoadClient client;
    private final Pattern pattern;
    private final List<URI> gateways;
    private final int connections;
    private final String runId;
    private final String padding;
    private final MessageLedger ledger;
    private final LatencyRecorder latency = new LatencyRecorder();
    private final LatencyRecorder ackLatency = new LatencyRecorder();
    private final LongAdder outOfOrder = new LongAdder();
    private final LongAdder misrouted = new LongAdder();
    private final LongAccumulator lastDelivery = new LongAccumulator(Math::max, Long.MIN_VALUE);
    private final Map<String, LongAdder> errorCodes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> closeCodes = new ConcurrentHashMap<>();
    private final SplittableRandom random = new SplittableRandom(42);
    private final Consumer<String> log;
    private List<LoadConnection> open = List.of();
    private List<List<LoadConnection>> byNode = List.of();
    private volatile boolean closing;
    private ProcessProbe server;
    private long confirmDelayMillis = DEFAULT_CONFIRM_DELAY_MILLIS;
    private int confirmBatch = DEFAULT_CONFIRM_BATCH;
    private long fanOutNext;

    /**
     * @param gateways WebSocket URIs of the gateway nodes; connection {@code i} goes to node {@code i % size}
     * @param maxMessages the most messages all phases together may send
     * @param bodyPadding characters of padding in every body (message size)
     */
    public MessagingScenario(
            LoadClient client,
            Pattern pattern,
            List<URI> gateways,
            int connections,
            int maxMessages,
            int bodyPadding,
            Consumer<String> log) {
        if (connections < 2) {
            throw new IllegalArgumentException("at least 2 connections");
        }
        this.client = client;
        this.pattern = pattern;
        this.gateways = List.copyOf(gateways);
        this.connections = connections;
        this.runId = Long.toString(System.currentTimeMillis(), 36);
        this.padding = "x".repeat(Math.max(0, bodyPadding));
        this.ledger = new MessageLedger(maxMessages);
        this.log = log;
    }

    /**
     * How the connections confirm receipt: {@code recv} {@code delayMillis} after the first
     * unconfirmed message or at {@code maxBatch} messages, like the SDK (200 ms / 100, the default);
     * {@code maxBatch} 0: never, as a client that does not care where it resumes.
     */
    public MessagingScenario confirmations(long delayMillis, int maxBatch) {
        this.confirmDelayMillis = delayMillis;
        this.confirmBatch = maxBatch;
        return this;
    }

    /** Measures the CPU time of the server process (pid, with its children) per message in each phase. */
    public MessagingScenario serverProcess(Long pid) {
        this.server = pid == null ? null : new ProcessProbe(pid);
        return this;
    }

    /** Opens the connections; returns how that went. */
    public LoadClient.ConnectResult open(int concurrency, Duration timeout) {
        List<LoadClient.Target> targets = new ArrayList<>(connections);
        for (int i = 0; i < connections; i++) {
            int node = i % gateways.size();
            targets.add(new LoadClient.Target("lg-" + runId + "-u" + i, "lg", node, gateways.get(node), null));
        }
        LoadClient.ConnectResult result = client.connect(targets, concurrency, timeout, new Listener());
        open = result.connections();
        List<List<LoadConnection>> nodes = new ArrayList<>();
        for (int n = 0; n < gateways.size(); n++) {
            nodes.add(new ArrayList<>());
        }
        open.forEach(c -> nodes.get(c.node()).add(c));
        byNode = nodes;
        if (open.size() < 2) {
            throw new IllegalStateException(
                    "only " + open.size() + " of " + connections + " connections opened: " + result.firstError());
        }
        return result;
    }

    /** The connections that are open, in index order. */
    public List<LoadConnection> connections() {
        return open;
    }

    /**
     * Sends at {@code rate} messages per second for {@code duration} (bounded by the ledger's
     * capacity), then waits up to {@code drain} for every answer and delivery, and reports.
     */
    public PhaseResult phase(String label, double rate, Duration duration, Duration drain) {
        double loadBefore = LoadAverage.oneMinute();
        latency.interval();
        ackLatency.interval();
        long outOfOrderBefore = outOfOrder.sum();
        long misroutedBefore = misrouted.sum();
        Map<String, Long> errorsBefore = snapshot(errorCodes);
        Map<String, Long> closesBefore = snapshot(closeCodes);

        long serverCpuBefore = server == null ? -1 : server.cpuNanos();
        long ownCpuBefore = ProcessProbe.ownCpuNanos();
        long first = ledger.sent();
        long total = (long) Math.floor(rate * duration.toNanos() / 1e9);
        double nanosPerMessage = 1e9 / rate;
        long started = System.nanoTime();
        long maxLag = 0;
        StringBuilder frame = new StringBuilder(128 + padding.length());
        for (long i = 0; i < total; ) {
            long due = started + (long) (i * nanosPerMessage);
            long now = System.nanoTime();
            if (due > now) {
                LockSupport.parkNanos(Math.min(Math.max(due - now, MIN_SLEEP_NANOS), 1_000_000));
                continue;
            }
            maxLag = Math.max(maxLag, now - due);
            long n = ledger.register(due);
            if (n < 0) {
                log.accept("ledger full after " + i + " messages of this phase: raise --max-messages");
                break;
            }
            LoadConnection[] pair = pair();
            frame.setLength(0);
            frame.append("{\"type\":\"send\",\"cid\":\"")
                    .append(n)
                    .append("\",\"to\":\"")
                    .append(pair[1].user())
                    .append("\",\"body\":{\"n\":")
                    .append(n)
                    .append(",\"p\":\"")
                    .append(padding)
                    .append("\"}}");
            if (!pair[0].send(frame.toString())) {
                ledger.refused(n);
                errorCodes.computeIfAbsent("not_sent", k -> new LongAdder()).increment();
            }
            i++;
        }
        long sendEnded = System.nanoTime();
        long last = ledger.sent();

        long drainDeadline = sendEnded + drain.toNanos();
        while (!ledger.settled() && System.nanoTime() < drainDeadline) {
            LockSupport.parkNanos(20_000_000);
        }

        MessageLedger.Counts counts = ledger.counts(first, last);
        long serverCpuAfter = server == null ? -1 : server.cpuNanos();
        double perMessage = Math.max(1, counts.delivered());
        double serverCpu = serverCpuBefore < 0 || serverCpuAfter < 0
                ? -1
                : round((serverCpuAfter - serverCpuBefore) / 1000.0 / perMessage);
        double ownCpu = round((ProcessProbe.ownCpuNanos() - ownCpuBefore) / 1000.0 / perMessage);
        long lastDeliveredAt = lastDelivery.get();
        double deliverySeconds = (Math.max(lastDeliveredAt, sendEnded) - started) / 1e9;
        PhaseResult result = new PhaseResult(
                label,
                pattern.name().toLowerCase().replace('_', '-'),
                open.size(),
                rate,
                round((sendEnded - started) / 1e9),
                round(counts.sent() / Math.max(1e-9, (sendEnded - started) / 1e9)),
                counts.sent(),
                counts.acked(),
                counts.refused(),
                counts.delivered(),
                counts.lost(),
                counts.duplicates(),
                outOfOrder.sum() - outOfOrderBefore,
                misrouted.sum() - misroutedBefore,
                round(counts.delivered() / Math.max(1e-9, deliverySeconds)),
                LatencySummary.of(latency.interval()),
                LatencySummary.of(ackLatency.interval()),
                round(maxLag / 1e6),
                diff(snapshot(errorCodes), errorsBefore),
                diff(snapshot(closeCodes), closesBefore),
                serverCpu,
                ownCpu,
                loadBefore,
                LoadAverage.oneMinute());
        log.accept(Report.line(result));
        return result;
    }

    /**
     * Waits (at most {@code max}) until every message sent so far was answered and delivered, so
     * that an overloaded phase's backlog does not spill into whatever runs next. Nothing is counted.
     *
     * @return true if everything settled in time
     */
    public boolean quiesce(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (!ledger.settled() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(50_000_000);
        }
        return ledger.settled();
    }

    /**
     * Step mode: phases at {@code startRate}, {@code startRate + step}, … up to {@code maxRate}, each
     * for {@code duration}, stopping after the first that loses a message or reaches p99 ≥ {@code
     * p99LimitMs}. Returns every phase run; the last clean one is the sustainable rate.
     */
    public List<PhaseResult> steps(
            double startRate, double step, double maxRate, Duration duration, Duration drain, double p99LimitMs) {
        List<PhaseResult> results = new ArrayList<>();
        for (double rate = startRate; rate <= maxRate; rate += step) {
            PhaseResult r = phase(
                    "step " + pattern.name().toLowerCase() + " " + open.size() + "c @" + (long) rate + "/s",
                    rate,
                    duration,
                    drain);
            results.add(r);
            if (!r.clean(p99LimitMs)) {
                break;
            }
        }
        return results;
    }

    private LoadConnection[] pair() {
        LoadConnection sender;
        LoadConnection recipient;
        switch (pattern) {
            case FAN_IN -> {
                recipient = open.get(0);
                sender = open.get(1 + random.nextInt(open.size() - 1));
            }
            case FAN_OUT -> {
                sender = open.get(0);
                recipient = open.get(1 + (int) (fanOutNext++ % (open.size() - 1)));
            }
            default -> {
                sender = open.get(random.nextInt(open.size()));
                recipient = otherNodeThan(sender);
            }
        }
        return new LoadConnection[] {sender, recipient};
    }

    private LoadConnection otherNodeThan(LoadConnection sender) {
        if (byNode.size() < 2) {
            LoadConnection other;
            do {
                other = open.get(random.nextInt(open.size()));
            } while (other == sender);
            return other;
        }
        int node = random.nextInt(byNode.size() - 1);
        if (node >= sender.node()) {
            node++;
        }
        List<LoadConnection> there = byNode.get(node);
        if (there.isEmpty()) {
            return open.get(random.nextInt(open.size()));
        }
        return there.get(random.nextInt(there.size()));
    }

    private final class Listener implements FrameListener {
        @Override
        public void onFrame(LoadConnection c, IncomingFrame f) {
            long now = System.nanoTime();
            switch (f.type()) {
                case "msg" -> {
                    long n = f.bodyN();
                    if (!c.user().equals(f.to())) {
                        misrouted.increment();
                    }
                    if (!c.advance(f.seq())) {
                        outOfOrder.increment();
                    }
                    if (confirmBatch > 0) {
                        c.confirmEventually(confirmDelayMillis, confirmBatch);
                    }
                    if (ledger.delivered(n)) {
                        latency.recordNanos(now - ledger.sentAt(n));
                        lastDelivery.accumulate(now);
                    }
                }
                case "ack" -> {
                    long n = number(f.cid());
                    if (ledger.acked(n)) {
                        ackLatency.recordNanos(now - ledger.sentAt(n));
                    }
                }
                case "error" -> {
                    errorCodes
                            .computeIfAbsent(String.valueOf(f.code()), k -> new LongAdder())
                            .increment();
                    if (f.cid() != null) {
                        ledger.refused(number(f.cid()));
                    }
                }
                default -> {
                    // pong, and frame types this version does not know: ignored, as clients must
                }
            }
        }

        @Override
        public void onClosed(LoadConnection c, int code) {
            if (!closing) {
                closeCodes
                        .computeIfAbsent(Integer.toString(code), k -> new LongAdder())
                        .increment();
            }
        }
    }

    private static long number(String cid) {
        try {
            return cid == null ? -1 : Long.parseLong(cid);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> counters) {
        Map<String, Long> copy = new TreeMap<>();
        counters.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }

    private static Map<String, Long> diff(Map<String, Long> now, Map<String, Long> before) {
        Map<String, Long> d = new TreeMap<>();
        now.forEach((k, v) -> {
            long delta = v - before.getOrDefault(k, 0L);
            if (delta != 0) {
                d.put(k, delta);
            }
        });
        return d;
    }

    static double round(double v) {
        return Math.round(v * 100.0) / 100.0;
    }

    /** Closes the connections (normal close) and waits briefly for them to end. */
    @Override
    public void close() {
        closing = true;
        LoadClient.closeAll(open, Duration.ofSeconds(10));
    }
}
