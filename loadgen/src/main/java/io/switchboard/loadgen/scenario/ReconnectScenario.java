package io.switchboard.loadgen.scenario;

import io.switchboard.loadgen.client.FrameListener;
import io.switchboard.loadgen.client.IncomingFrame;
import io.switchboard.loadgen.client.LoadClient;
import io.switchboard.loadgen.client.LoadConnection;
import io.switchboard.loadgen.metrics.ActuatorClient;
import io.switchboard.loadgen.stats.LatencyRecorder;
import io.switchboard.loadgen.stats.LatencySummary;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A reconnect storm: {@code devices} users are sent {@code messagesPerDevice} messages each while
 * offline (so the messages are only stored), then all connect at once; the result is the time until
 * every device has every message. Devices confirm what they got with {@code recv} (every 100
 * messages and at the end), as the protocol asks, once the server announces replay.
 */
public final class ReconnectScenario {

    private static final int RECV_EVERY = 100;

    /** offline-service's counter of messages stored in inboxes (docs/metrics.md). */
    private static final String STORED_METER = "switchboard.messages.stored";

    private final LoadClient client;
    private final List<URI> gateways;
    private final ActuatorClient offline;
    private final Consumer<String> log;

    /** @param offline offline-service's actuator, to wait until the messages are stored; null: wait 2 s */
    public ReconnectScenario(LoadClient client, List<URI> gateways, ActuatorClient offline, Consumer<String> log) {
        this.client = client;
        this.gateways = List.copyOf(gateways);
        this.offline = offline;
        this.log = log;
    }

    /** What one device has seen; touched on its event loop only, read after the storm. */
    private static final class Device {
        final BitSet seqs = new BitSet();
        long received;
        long duplicates;
        long gaps;
        long confirmed;
        volatile long caughtUpAt;
    }

    public ReconnectResult run(
            String label, int devices, int messagesPerDevice, double sendRate, Duration timeout, int concurrency) {
        double loadBefore = LoadAverage.oneMinute();
        String runId = Long.toString(System.currentTimeMillis(), 36);
        List<String> users = new ArrayList<>(devices);
        for (int i = 0; i < devices; i++) {
            users.add("rc-" + runId + "-u" + i);
        }
        long stored = fill(runId, users, messagesPerDevice, sendRate, timeout);

        ConcurrentHashMap<LoadConnection, Device> state = new ConcurrentHashMap<>();
        AtomicInteger caughtUp = new AtomicInteger();
        AtomicLong stormStart = new AtomicLong();
        FrameListener listener = new FrameListener() {
            @Override
            public void onFrame(LoadConnection c, IncomingFrame f) {
                Device d = state.computeIfAbsent(c, k -> new Device());
                synchronized (d) { // read by the scenario thread at the end
                    onFrame(c, d, f);
                }
            }

            private void onFrame(LoadConnection c, Device d, IncomingFrame f) {
                if ("gap".equals(f.type())) {
                    d.gaps++;
                    if (f.gapFrom() > 0 && f.gapTo() >= f.gapFrom()) {
                        d.seqs.set((int) f.gapFrom(), (int) f.gapTo() + 1);
                    }
                } else if ("msg".equals(f.type()) && f.seq() > 0) {
                    d.received++;
                    if (d.seqs.get((int) f.seq())) {
                        d.duplicates++;
                    }
                    d.seqs.set((int) f.seq());
                    if (f.seq() - d.confirmed >= RECV_EVERY) {
                        confirm(c, d, f.seq());
                    }
                } else {
                    return;
                }
                if (d.caughtUpAt == 0 && d.seqs.cardinality() >= messagesPerDevice) {
                    d.caughtUpAt = System.nanoTime();
                    confirm(c, d, messagesPerDevice);
                    caughtUp.incrementAndGet();
                }
            }
        };

        List<LoadClient.Target> targets = new ArrayList<>(devices);
        for (int i = 0; i < devices; i++) {
            int node = i % gateways.size();
            targets.add(new LoadClient.Target(users.get(i), "storm", node, gateways.get(node), null));
        }
        log.accept(String.format("%s: %d stored; %d devices connect at once", label, stored, devices));
        long started = System.nanoTime();
        stormStart.set(started);
        LoadClient.ConnectResult connected = client.connect(targets, concurrency, timeout, listener);
        double connectSeconds = (System.nanoTime() - started) / 1e9;
        boolean replay = !connected.connections().isEmpty()
                && connected.connections().stream()
                        .allMatch(c -> c.welcome().join().after() >= 0);
        Duration wait = replay ? timeout : Duration.ofSeconds(3);
        long deadline = started + wait.toNanos();
        while (caughtUp.get() < devices && System.nanoTime() < deadline) {
            LockSupport.parkNanos(5_000_000);
        }
        long ended = System.nanoTime();

        LatencyRecorder perDevice = new LatencyRecorder();
        long received = 0, duplicates = 0, gaps = 0, missing = 0, lastCaughtUp = started;
        for (LoadConnection c : connected.connections()) {
            Device d = state.getOrDefault(c, new Device());
            synchronized (d) {
                received += d.received;
                duplicates += d.duplicates;
                gaps += d.gaps;
                missing += Math.max(0, messagesPerDevice - d.seqs.cardinality());
            }
            if (d.caughtUpAt != 0) {
                perDevice.recordNanos(d.caughtUpAt - started);
                lastCaughtUp = Math.max(lastCaughtUp, d.caughtUpAt);
            }
        }
        missing += (long) (devices - connected.connections().size()) * messagesPerDevice;
        LoadClient.closeAll(connected.connections(), Duration.ofSeconds(10));
        int done = caughtUp.get();
        String note;
        if (!replay) {
            note = "pending: the server does not replay stored messages yet (welcome has no 'after')";
        } else if (done < devices) {
            note = "timed out after " + wait.toSeconds() + " s";
        } else {
            note = "";
        }
        ReconnectResult result = new ReconnectResult(
                label,
                devices,
                messagesPerDevice,
                replay,
                stored,
                MessagingScenario.round(connectSeconds),
                MessagingScenario.round(((done == devices ? lastCaughtUp : ended) - started) / 1e9),
                done,
                received,
                missing,
                duplicates,
                gaps,
                LatencySummary.of(perDevice.interval()),
                note,
                loadBefore,
                LoadAverage.oneMinute());
        log.accept(Report.line(result));
        return result;
    }

    private static void confirm(LoadConnection c, Device d, long upTo) {
        if (upTo > d.confirmed) {
            d.confirmed = upTo;
            c.send("{\"type\":\"recv\",\"seq\":" + upTo + "}");
        }
    }

    /** Sends every user its messages from one sender while they are offline; returns how many were acked. */
    private long fill(String runId, List<String> users, int perUser, double rate, Duration timeout) {
        AtomicLong acked = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        FrameListener listener = new FrameListener() {
            @Override
            public void onFrame(LoadConnection c, IncomingFrame f) {
                if ("ack".equals(f.type())) {
                    acked.incrementAndGet();
                } else if ("error".equals(f.type())) {
                    refused.incrementAndGet();
                }
            }
        };
        LoadClient.ConnectResult sender = client.connect(
                List.of(new LoadClient.Target("rc-" + runId + "-sender", "sender", 0, gateways.get(0), null)),
                1,
                Duration.ofSeconds(15),
                listener);
        if (sender.connections().isEmpty()) {
            throw new IllegalStateException("sender could not connect: " + sender.firstError());
        }
        LoadConnection s = sender.connections().get(0);
        double storedBefore = offline == null ? -1 : offline.value(STORED_METER).orElse(-1);
        if (offline != null && storedBefore < 0) {
            log.accept(
                    "fill: cannot read " + STORED_METER + " from offline-service; waiting 2 s for the stores instead");
        }
        long total = (long) users.size() * perUser;
        long started = System.nanoTime();
        for (long i = 0; i < total; ) {
            long due = started + (long) (i * 1e9 / rate);
            long now = System.nanoTime();
            if (due > now) {
                LockSupport.parkNanos(Math.min(due - now, 1_000_000));
                continue;
            }
            // round robin: every user's messages are spread over the whole fill
            String to = users.get((int) (i % users.size()));
            s.send("{\"type\":\"send\",\"cid\":\"f" + i + "\",\"to\":\"" + to + "\",\"body\":{\"n\":" + i + "}}");
            i++;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (acked.get() + refused.get() < total && System.nanoTime() < deadline) {
            LockSupport.parkNanos(10_000_000);
        }
        if (storedBefore >= 0) {
            while (offline.value(STORED_METER).orElse(-1) < storedBefore + acked.get()
                    && System.nanoTime() < deadline) {
                LockSupport.parkNanos(50_000_000);
            }
        } else {
            LockSupport.parkNanos(2_000_000_000L);
        }
        LoadClient.closeAll(sender.connections(), Duration.ofSeconds(5));
        if (refused.get() > 0) {
            log.accept("fill: " + refused.get() + " sends refused");
        }
        return acked.get();
    }
}
