package io.switchboard.loadgen.scenario;

import io.switchboard.loadgen.client.FrameListener;
import io.switchboard.loadgen.client.IncomingFrame;
import io.switchboard.loadgen.client.LoadClient;
import io.switchboard.loadgen.client.LoadConnection;
import io.switchboard.loadgen.metrics.ActuatorClient;
import io.switchboard.loadgen.metrics.ServerProbe;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Opens N sessions to one gateway node that then send nothing (the client still answers the
 * server's pings, as browsers do), and measures the connect rate and what each session costs the
 * gateway: heap, direct memory (the JVM's direct buffers and Netty's allocator), and the process's
 * resident memory.
 */
public final class IdleScenario {

    private final LoadClient client;
    private final URI gateway;
    private final ActuatorClient actuator;
    private final ServerProbe server;
    private final Consumer<String> log;

    /** @param gatewayPid the gateway's process id, or {@code null}: then no GC before measuring, no RSS */
    public IdleScenario(LoadClient client, URI gateway, Long gatewayPid, Consumer<String> log) {
        this.client = client;
        this.gateway = gateway;
        this.actuator = ActuatorClient.forGateway(gateway);
        this.server = new ServerProbe(actuator, gatewayPid);
        this.log = log;
    }

    /**
     * @param count sessions to open
     * @param concurrency handshakes in flight at once
     * @param settle how long to wait after the last connect before measuring (lets pings go round)
     */
    public IdleResult run(int count, int concurrency, Duration settle) {
        double loadBefore = LoadAverage.oneMinute();
        String runId = Long.toString(System.currentTimeMillis(), 36);
        ServerProbe.Snapshot before = server.snapshot();
        log.accept(String.format(
                "idle: before heap=%.1f MiB rss=%.1f MiB; opening %d sessions on %s",
                before.heap() / 1048576.0, before.rss() / 1048576.0, count, gateway));
        List<LoadClient.Target> targets = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            targets.add(new LoadClient.Target("idle-" + runId + "-u" + i, "idle", 0, gateway, null));
        }
        FrameListener ignore = new FrameListener() {
            @Override
            public void onFrame(LoadConnection connection, IncomingFrame frame) {}
        };
        LoadClient.ConnectResult connected =
                client.connect(targets, concurrency, Duration.ofSeconds(Math.max(60, count / 50)), ignore);
        log.accept(String.format(
                "idle: %d open, %d failed in %.1f s (%.0f/s)%s",
                connected.connections().size(),
                connected.failed(),
                connected.seconds(),
                connected.perSecond(),
                connected.firstError() == null ? "" : "; first error: " + connected.firstError()));
        sleep(settle);
        double sessions = actuator.value("switchboard.sessions.open").orElse(-1);
        ServerProbe.Snapshot after = server.snapshot();
        int opened = connected.connections().size();
        IdleResult result = new IdleResult(
                gateway.toString(),
                count,
                opened,
                connected.failed(),
                connected.firstError(),
                MessagingScenario.round(connected.seconds()),
                MessagingScenario.round(connected.perSecond()),
                sessions,
                before.afterGc() && after.afterGc(),
                perConnection(before.heap(), after.heap(), opened),
                perConnection(before.jvmDirect(), after.jvmDirect(), opened),
                perConnection(before.nettyDirect(), after.nettyDirect(), opened),
                perConnection(before.rss(), after.rss(), opened),
                before.heap(),
                after.heap(),
                before.rss(),
                after.rss(),
                after.openFiles(),
                loadBefore,
                LoadAverage.oneMinute());
        log.accept(Report.line(result));
        LoadClient.closeAll(connected.connections(), Duration.ofSeconds(30));
        return result;
    }

    private static double perConnection(long before, long after, int connections) {
        if (before < 0 || after < 0 || connections == 0) {
            return -1;
        }
        return MessagingScenario.round((double) (after - before) / connections);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
