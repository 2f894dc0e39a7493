package io.switchboard.gateway.session;

import io.switchboard.presence.OfflineCause;
import io.switchboard.presence.PresenceSession;
import io.switchboard.presence.PresenceStore;
import io.switchboard.presence.SessionBeat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * One node-wide timer instead of one per session. Every {@code tick} it
 *
 * <ul>
 *   <li>pings sessions whose last ping is older than the heartbeat interval;
 *   <li>closes sessions silent for longer than the heartbeat timeout with
 *       {@link CloseCodes#HEARTBEAT_TIMEOUT}, removing them from presence with cause
 *       {@code timeout} first, so a session is offline between {@code timeout} and
 *       {@code timeout + tick} after it went silent;
 *   <li>renews this node's presence lease every third of the lease, so that presence can tell a
 *       dead node from a quiet one within the lease; when the lease had lapsed, every session reads
 *       its inbox again (routing skipped the node meanwhile);
 *   <li>once per interval, refreshes the presence of all live sessions in one batch (a few calls,
 *       not one per session), with how long each has been silent; sessions presence no longer
 *       knows (swept while this node was cut off, for example) are registered again and read their
 *       inboxes. Sessions whose first registration has not completed are left to it.
 * </ul>
 *
 * At most one lease renewal and refresh is in flight at a time: a slow Redis delays the next one
 * rather than piling calls up.
 */
public final class HeartbeatMonitor implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(HeartbeatMonitor.class);
    private static final Duration TICK = Duration.ofMillis(500);
    /** 50 sessions every 10 ms: 5,000 inbox reads a second per node, 3 s for 15,000 sessions. */
    private static final int CATCH_UP_CHUNK = 50;

    private static final Duration CATCH_UP_SPACING = Duration.ofMillis(10);
    private static final long CATCH_UP_JITTER_MILLIS = 1_000;

    private final SessionRegistry registry;
    private final PresenceStore presence;
    private final String nodeId;
    private final long intervalNanos;
    private final long timeoutNanos;
    private final Duration presenceTtl;
    private final Duration lease;
    private final long leaseRenewalNanos;
    private final AtomicBoolean writing = new AtomicBoolean();
    private volatile Disposable timer;
    private long lastRefreshNanos;
    private long lastLeaseNanos;

    public HeartbeatMonitor(
            SessionRegistry registry,
            PresenceStore presence,
            String nodeId,
            Duration interval,
            Duration timeout,
            Duration lease) {
        this.registry = registry;
        this.presence = presence;
        this.nodeId = nodeId;
        this.intervalNanos = interval.toNanos();
        this.timeoutNanos = timeout.toNanos();
        // A live session is refreshed once per interval; one late refresh must not expire it.
        this.presenceTtl = timeout.plus(interval);
        this.lease = lease;
        this.leaseRenewalNanos = lease.toNanos() / 3;
    }

    /** The presence time to live of a session: it outlives a late refresh, not a dead node. */
    public Duration presenceTtl() {
        return presenceTtl;
    }

    void tick(long now) {
        List<SessionBeat> beats = new ArrayList<>();
        Map<String, ClientSession> open = new HashMap<>();
        for (ClientSession session : registry.all()) {
            if (session.isClosed()) {
                continue;
            }
            long silent = now - session.lastSeenNanos();
            if (silent > timeoutNanos) {
                // Before the close, so the handler's later "closed" removal finds nothing left.
                presence.unregister(session.identity(), OfflineCause.TIMEOUT)
                        .subscribe(null, e -> log.warn("presence removal failed: {}", e.toString()));
                session.close(CloseCodes.HEARTBEAT_TIMEOUT);
                continue;
            }
            if (now - session.lastPingNanos() >= intervalNanos) {
                session.ping(now);
            }
            if (!session.isRegistered()) {
                // Its first registration is still running (or failed, and the session is closing):
                // refreshing it would find it missing and register it again, maybe after it left.
                continue;
            }
            beats.add(new SessionBeat(session.identity(), silent / 1_000_000));
            open.put(session.sessionId(), session);
        }
        boolean leaseDue = now - lastLeaseNanos >= leaseRenewalNanos;
        boolean refreshDue = now - lastRefreshNanos >= intervalNanos && !beats.isEmpty();
        if ((!leaseDue && !refreshDue) || !writing.compareAndSet(false, true)) {
            return;
        }
        Mono<Void> renewal = Mono.empty();
        if (leaseDue) {
            lastLeaseNanos = now;
            renewal = presence.renewLease(nodeId, lease)
                    .doOnNext(wasLive -> {
                        if (!wasLive) {
                            log.warn(
                                    "presence lease of node {} had lapsed; renewed; {} sessions read their inboxes again",
                                    nodeId,
                                    open.size());
                            catchUpAll(open.values());
                        }
                    })
                    .then();
        }
        Mono<Void> refresh = Mono.empty();
        if (refreshDue) {
            lastRefreshNanos = now;
            refresh = presence.refresh(beats, presenceTtl).flatMap(missing -> registerAgain(missing, open));
        }
        renewal.then(refresh)
                // a write that hangs must not hold up the next lease renewal for long
                .timeout(lease)
                .doFinally(signal -> writing.set(false))
                .subscribe(
                        null, e -> log.warn("presence refresh of {} sessions failed: {}", beats.size(), e.toString()));
    }

    private Mono<Void> registerAgain(List<PresenceSession> missing, Map<String, ClientSession> open) {
        List<PresenceSession> stillOpen = missing.stream()
                .filter(s -> {
                    ClientSession session = open.get(s.sessionId());
                    return session != null && !session.isClosed();
                })
                .toList();
        if (stillOpen.isEmpty()) {
            return Mono.empty();
        }
        log.warn("{} open sessions were missing from presence; registering them again", stillOpen.size());
        // While they were missing, routing found no session to forward their messages to: those
        // are in the inbox only. Read it once the registration is back, so nothing waits there for
        // the next live message (or a reconnect) to reveal the gap.
        return Flux.fromIterable(stillOpen)
                .flatMap(
                        s -> presence.register(s, presenceTtl).then(Mono.defer(() -> {
                            ClientSession session = open.get(s.sessionId());
                            if (session.isClosed()) {
                                // It closed while we registered it, maybe after its own removal ran: remove
                                // it again, or it would show online, and be routed to, for a whole TTL.
                                return presence.unregister(s);
                            }
                            catchUp(session);
                            return Mono.empty();
                        })),
                        64)
                .then();
    }

    /**
     * After the node's lease had lapsed, routing skipped this node's sessions (it treats a node
     * without a lease as gone) and their messages are in the inbox only; the sessions are still
     * registered, so the refresh does not find them missing. Read every inbox once more, spread in
     * chunks so a large node does not read thousands of inboxes at the same instant, and after a
     * random delay: a Redis outage lapses every node's lease at once, and the Redis that just came
     * back should not get every node's reads in the same second.
     */
    private static void catchUpAll(Collection<ClientSession> sessions) {
        Flux.fromIterable(List.copyOf(sessions))
                .buffer(CATCH_UP_CHUNK)
                .delayElements(CATCH_UP_SPACING)
                .delaySubscription(Duration.ofMillis(ThreadLocalRandom.current().nextLong(CATCH_UP_JITTER_MILLIS)))
                .subscribe(chunk -> chunk.forEach(HeartbeatMonitor::catchUp));
    }

    private static void catchUp(ClientSession session) {
        SessionFeed feed = session.feed();
        if (feed != null) {
            feed.catchUp();
        }
    }

    @Override
    public void start() {
        try {
            // Before the first session, so readers see a live node from the start.
            presence.renewLease(nodeId, lease).block(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            log.warn("first presence lease of node {} failed: {}", nodeId, e.toString());
        }
        lastLeaseNanos = System.nanoTime();
        lastRefreshNanos = lastLeaseNanos;
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

    /** Stops the timer and gives up the lease: the node's sessions leave presence as they close. */
    @Override
    public void stop() {
        Disposable t = timer;
        if (t != null) {
            t.dispose();
        }
        try {
            presence.releaseLease(nodeId).block(Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            log.debug("presence lease of node {} not released: {}", nodeId, e.toString());
        }
    }

    /** Stops after the {@link SessionDrain}: the lease and presence refreshes last while sessions close. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1;
    }

    @Override
    public boolean isRunning() {
        Disposable t = timer;
        return t != null && !t.isDisposed();
    }
}
