package io.switchboard.presence;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Mono;

/**
 * A {@link PresenceStore} in this JVM's memory: for unit tests and single-node development only,
 * since other processes cannot see it.
 */
public final class InMemoryPresenceStore implements PresenceStore {

    private record Entry(PresenceSession session, long expiresAt) {}

    private final Clock clock;
    private final Map<String, Map<String, Entry>> byUser = new ConcurrentHashMap<>();

    public InMemoryPresenceStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Mono<Void> register(PresenceSession session, Duration ttl) {
        return Mono.fromRunnable(() -> byUser.computeIfAbsent(session.userId(), u -> new ConcurrentHashMap<>())
                .put(session.sessionId(), new Entry(session, deadline(ttl))));
    }

    @Override
    public Mono<Void> refresh(Collection<PresenceSession> sessions, Duration ttl) {
        return Mono.fromRunnable(() -> {
            long now = clock.millis();
            long deadline = deadline(ttl);
            for (PresenceSession s : sessions) {
                Map<String, Entry> entries = byUser.get(s.userId());
                if (entries != null) {
                    entries.computeIfPresent(
                            s.sessionId(), (id, e) -> e.expiresAt() > now ? new Entry(e.session(), deadline) : null);
                }
            }
        });
    }

    @Override
    public Mono<Void> unregister(PresenceSession session) {
        return Mono.fromRunnable(() -> {
            Map<String, Entry> entries = byUser.get(session.userId());
            if (entries != null) {
                entries.remove(session.sessionId());
            }
        });
    }

    @Override
    public Mono<List<PresenceSession>> sessionsOf(String userId) {
        return Mono.fromSupplier(() -> {
            long now = clock.millis();
            return byUser.getOrDefault(userId, Map.of()).values().stream()
                    .filter(e -> e.expiresAt() > now)
                    .map(Entry::session)
                    .sorted(Comparator.comparingLong(PresenceSession::connectedAt))
                    .toList();
        });
    }

    private long deadline(Duration ttl) {
        return clock.millis() + ttl.toMillis();
    }
}
