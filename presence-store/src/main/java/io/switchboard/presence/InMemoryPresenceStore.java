package io.switchboard.presence;

import io.switchboard.protocol.envelope.PresenceChange;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import reactor.core.publisher.Mono;

/**
 * Presence in this JVM's memory, with the same rules as {@link RedisPresenceStore} (the shared
 * contract test holds both to them): for unit tests and single-node development only, since other
 * processes cannot see it. One lock; every operation is short.
 */
public final class InMemoryPresenceStore implements PresenceStore, PresenceKeeper {

    private static final class Entry {
        final PresenceSession session;
        long deadline;
        long lastSeen;

        Entry(PresenceSession session, long deadline, long lastSeen) {
            this.session = session;
            this.deadline = deadline;
            this.lastSeen = lastSeen;
        }
    }

    private static final class Status {
        boolean online;
        long version;
        long at;
        long seen;
        Long pendingAt;
        String pendingCause;
    }

    private static final class Pending {
        final OutboxEvent event;
        String consumer;
        long claimedAt;

        Pending(OutboxEvent event) {
            this.event = event;
        }
    }

    private final Clock clock;
    private final Map<String, Map<String, Entry>> byUser = new HashMap<>();
    private final Map<String, Long> leases = new HashMap<>();
    private final Map<String, Status> statuses = new HashMap<>();
    private final TreeMap<Long, Pending> outbox = new TreeMap<>();
    private long nextEventId = 1;
    private long usersOnline;

    public InMemoryPresenceStore(Clock clock) {
        this.clock = clock;
    }

    private boolean lapsed(String node, long now) {
        Long lease = leases.get(node);
        return lease != null && lease <= now;
    }

    private boolean live(Entry e, long now) {
        return e.deadline > now && !lapsed(e.session.nodeId(), now);
    }

    private List<Entry> liveEntries(String user, long now) {
        List<Entry> live = new ArrayList<>();
        for (Entry e : byUser.getOrDefault(user, Map.of()).values()) {
            if (live(e, now)) {
                live.add(e);
            }
        }
        live.sort(Comparator.comparingLong(e -> e.session.connectedAt()));
        return live;
    }

    private void announce(String user, Status st, boolean online, long at, String cause, long seen) {
        st.online = online;
        st.version++;
        st.at = at;
        st.seen = seen;
        usersOnline = Math.max(0, usersOnline + (online ? 1 : -1));
        long id = nextEventId++;
        outbox.put(
                id,
                new Pending(new OutboxEvent(
                        Long.toString(id), new PresenceChange(user, online, at, cause, seen, st.version))));
    }

    private void wentOnline(String user, long now) {
        Status st = statuses.computeIfAbsent(user, u -> new Status());
        if (st.online) {
            st.pendingAt = null; // back within the grace, if it was pending: no offline, no online
            st.pendingCause = null;
            return;
        }
        announce(user, st, true, now, PresenceChange.CONNECTED, now);
    }

    private void drop(String user, String sessionId, OfflineCause cause, long at, long now) {
        Map<String, Entry> entries = byUser.get(user);
        Entry e = entries == null ? null : entries.remove(sessionId);
        if (e == null) {
            return;
        }
        if (entries.isEmpty()) {
            byUser.remove(user);
        }
        Status st = statuses.computeIfAbsent(user, u -> new Status());
        st.seen = Math.max(st.seen, cause == OfflineCause.CLOSED ? now : e.lastSeen);
        if (liveEntries(user, now).isEmpty() && st.online && st.pendingAt == null) {
            st.pendingAt = at;
            st.pendingCause = cause.wire();
        }
    }

    @Override
    public Mono<Void> register(PresenceSession session, Duration ttl) {
        return Mono.fromRunnable(() -> {
            synchronized (this) {
                long now = clock.millis();
                byUser.computeIfAbsent(session.userId(), u -> new LinkedHashMap<>())
                        .put(session.sessionId(), new Entry(session, now + ttl.toMillis(), now));
                wentOnline(session.userId(), now);
            }
        });
    }

    @Override
    public Mono<List<PresenceSession>> refresh(Collection<SessionBeat> beats, Duration ttl) {
        return Mono.fromSupplier(() -> {
            synchronized (this) {
                long now = clock.millis();
                List<PresenceSession> missing = new ArrayList<>();
                for (SessionBeat beat : beats) {
                    PresenceSession s = beat.session();
                    Entry e = byUser.getOrDefault(s.userId(), Map.of()).get(s.sessionId());
                    if (e == null || e.deadline <= now) {
                        missing.add(s);
                    } else {
                        e.deadline = now + ttl.toMillis();
                        e.lastSeen = now - Math.max(0, beat.silentMillis());
                    }
                }
                return missing;
            }
        });
    }

    @Override
    public Mono<Void> unregister(PresenceSession session, OfflineCause cause) {
        return Mono.fromRunnable(() -> {
            synchronized (this) {
                long now = clock.millis();
                drop(session.userId(), session.sessionId(), cause, now, now);
            }
        });
    }

    @Override
    public Mono<Boolean> renewLease(String nodeId, Duration lease) {
        return Mono.fromSupplier(() -> {
            synchronized (this) {
                long now = clock.millis();
                Long old = leases.put(nodeId, now + lease.toMillis());
                return old != null && old > now;
            }
        });
    }

    @Override
    public Mono<Void> releaseLease(String nodeId) {
        return Mono.fromRunnable(() -> {
            synchronized (this) {
                boolean sessionsLeft = byUser.values().stream()
                        .flatMap(sessions -> sessions.values().stream())
                        .anyMatch(e -> e.session.nodeId().equals(nodeId));
                if (sessionsLeft) {
                    leases.put(nodeId, clock.millis()); // lapses now: the sweep removes them as node-lost
                } else {
                    leases.remove(nodeId);
                }
            }
        });
    }

    @Override
    public Mono<List<PresenceSession>> sessionsOf(String userId) {
        return presenceOf(userId)
                .map(p -> p.sessions().stream().map(LiveSession::session).toList());
    }

    @Override
    public Mono<UserPresence> presenceOf(String userId) {
        return Mono.fromSupplier(() -> {
            synchronized (this) {
                long now = clock.millis();
                List<LiveSession> live = liveEntries(userId, now).stream()
                        .map(e -> new LiveSession(e.session, e.lastSeen))
                        .toList();
                Status st = statuses.get(userId);
                long lastSeen = Math.max(
                        st == null ? 0 : st.seen,
                        live.stream().mapToLong(LiveSession::lastSeen).max().orElse(0));
                return new UserPresence(userId, !live.isEmpty(), lastSeen, live);
            }
        });
    }

    @Override
    public Mono<List<PresenceStatus>> statusOf(List<String> userIds) {
        return Mono.fromSupplier(() -> {
            synchronized (this) {
                List<PresenceStatus> out = new ArrayList<>(userIds.size());
                for (String user : userIds) {
                    Status st = statuses.get(user);
                    out.add(
                            st == null
                                    ? PresenceStatus.unknown(user)
                                    : new PresenceStatus(user, st.online, st.at, st.seen, st.version));
                }
                return out;
            }
        });
    }

    @Override
    public Mono<SweepResult> sweep(Duration grace, int limit) {
        return Mono.fromSupplier(() -> {
            synchronized (this) {
                long now = clock.millis();
                int budget = limit;
                int lost = 0;
                int timedOut = 0;
                int announced = 0;
                long lag = 0;
                List<Entry> all = new ArrayList<>();
                byUser.values().forEach(m -> all.addAll(m.values()));
                for (Entry e : all) {
                    if (budget <= 0) {
                        break;
                    }
                    String node = e.session.nodeId();
                    if (lapsed(node, now)) {
                        lag = Math.max(lag, now - leases.get(node));
                        drop(e.session.userId(), e.session.sessionId(), OfflineCause.NODE_LOST, leases.get(node), now);
                        lost++;
                        budget--;
                    } else if (e.deadline <= now) {
                        lag = Math.max(lag, now - e.deadline);
                        drop(e.session.userId(), e.session.sessionId(), OfflineCause.TIMEOUT, e.deadline, now);
                        timedOut++;
                        budget--;
                    }
                }
                if (budget > 0) {
                    leases.entrySet().removeIf(l -> l.getValue() <= now);
                }
                for (Map.Entry<String, Status> s : statuses.entrySet()) {
                    if (budget <= 0) {
                        break;
                    }
                    Status st = s.getValue();
                    if (st.pendingAt != null && st.pendingAt <= now - grace.toMillis()) {
                        if (st.online && liveEntries(s.getKey(), now).isEmpty()) {
                            announce(s.getKey(), st, false, st.pendingAt, st.pendingCause, st.seen);
                            announced++;
                        }
                        st.pendingAt = null;
                        st.pendingCause = null;
                        budget--;
                    }
                }
                return new SweepResult(lost, timedOut, announced, budget <= 0, lag);
            }
        });
    }

    @Override
    public Mono<List<OutboxEvent>> claimEvents(String consumer, int max, Duration abandonedAfter) {
        return Mono.fromSupplier(() -> {
            synchronized (this) {
                long now = clock.millis();
                List<OutboxEvent> claimed = new ArrayList<>();
                for (Pending p : outbox.values()) {
                    if (claimed.size() >= max) {
                        break;
                    }
                    if (p.consumer == null || now - p.claimedAt >= abandonedAfter.toMillis()) {
                        p.consumer = consumer;
                        p.claimedAt = now;
                        claimed.add(p.event);
                    }
                }
                return claimed;
            }
        });
    }

    @Override
    public Mono<Void> acknowledge(List<OutboxEvent> events) {
        return Mono.fromRunnable(() -> {
            synchronized (this) {
                for (OutboxEvent e : events) {
                    outbox.remove(Long.parseLong(e.id()));
                }
            }
        });
    }

    @Override
    public Mono<Stats> stats() {
        return Mono.fromSupplier(() -> {
            synchronized (this) {
                long now = clock.millis();
                Map<String, Long> byNode = new LinkedHashMap<>();
                leases.keySet().forEach(node -> byNode.put(node, 0L));
                byUser.values()
                        .forEach(m ->
                                m.values().forEach(e -> byNode.computeIfPresent(e.session.nodeId(), (n, c) -> c + 1)));
                int lapsedNodes = 0;
                for (Iterator<Long> it = leases.values().iterator(); it.hasNext(); ) {
                    if (it.next() <= now) {
                        lapsedNodes++;
                    }
                }
                return new Stats(usersOnline, byNode, lapsedNodes);
            }
        });
    }
}
