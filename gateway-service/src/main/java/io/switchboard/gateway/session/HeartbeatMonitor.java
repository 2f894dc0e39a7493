package io.switchboard.gateway.session;

import io.switchboard.presence.PresenceSession;
import io.switchboard.presence.PresenceStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * One node-wide timer instead of one per session: every {@code tick} it pings sessions whose last
 * ping is older than the heartbeat interval, closes sessions silent for longer than the heartbeat
 * timeout with {@link CloseCodes#HEARTBEAT_TIMEOUT}, and refreshes the presence of the live ones in
 * one batch once per interval. A session is therefore closed between {@code timeout} and
 * {@code timeout + tick} after it went silent.
 */
public final class HeartbeatMonitor implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(HeartbeatMonitor.class);
    private static final Duration TICK = Duration.ofMillis(500);

    private final SessionRegistry registry;
    private final PresenceStore presence;
    private final long intervalNanos;
    private final long timeoutNanos;
    private final Duration presenceTtl;
    private volatile Disposable timer;
    private long lastRefreshNanos = System.nanoTime();

    public HeartbeatMonitor(SessionRegistry registry, PresenceStore presence, Duration interval, Duration timeout) {
        this.registry = registry;
        this.presence = presence;
        this.intervalNanos = interval.toNanos();
        this.timeoutNanos = timeout.toNanos();
        this.presenceTtl = timeout;
    }

    /** The presence time to live of a session: it outlives a healthy heartbeat, not a dead node. */
    public Duration presenceTtl() {
        return presenceTtl;
    }

    void tick(long now) {
        List<PresenceSession> alive = new ArrayList<>();
        for (ClientSession session : registry.all()) {
            if (session.isClosed()) {
                continue;
            }
            if (now - session.lastSeenNanos() > timeoutNanos) {
                session.close(CloseCodes.HEARTBEAT_TIMEOUT);
                continue;
            }
            if (now - session.lastPingNanos() >= intervalNanos) {
                session.ping(now);
            }
            alive.add(session.identity());
        }
        if (now - lastRefreshNanos >= intervalNanos && !alive.isEmpty()) {
            lastRefreshNanos = now;
            presence.refresh(alive, presenceTtl)
                    .subscribe(
                            null,
                            e -> log.warn("presence refresh of {} sessions failed: {}", alive.size(), e.toString()));
        }
    }

    @Override
    public void start() {
        timer = Flux.interval(TICK, TICK, Schedulers.single())
                .onBackpressureDrop()
                .subscribe(n -> {
                    try {
                        tick(System.nanoTime());
                    } catch (RuntimeException e) {
                        log.error("heartbeat tick failed", e);
                    }
                });
    }

    @Override
    public void stop() {
        Disposable t = timer;
        if (t != null) {
            t.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        Disposable t = timer;
        return t != null && !t.isDisposed();
    }
}
