package io.switchboard.gateway.session;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sessions open on this node, by user. Non-blocking and safe from any thread. {@link #remove}
 * removes an entry only if it is still that very session, so a late cleanup of an old connection
 * never drops a newer one of the same user.
 */
public final class SessionRegistry {

    private final Map<String, List<ClientSession>> byUser = new ConcurrentHashMap<>();

    public void add(ClientSession session) {
        byUser.compute(session.userId(), (user, sessions) -> {
            List<ClientSession> next = sessions == null ? new ArrayList<>(1) : new ArrayList<>(sessions);
            next.add(session);
            return List.copyOf(next);
        });
    }

    public void remove(ClientSession session) {
        byUser.computeIfPresent(session.userId(), (user, sessions) -> {
            List<ClientSession> next = new ArrayList<>(sessions);
            next.remove(session);
            return next.isEmpty() ? null : List.copyOf(next);
        });
    }

    /** The user's sessions on this node; an empty list when none. */
    public List<ClientSession> sessionsOf(String userId) {
        return byUser.getOrDefault(userId, List.of());
    }

    /** A snapshot of every session on this node. */
    public Collection<ClientSession> all() {
        List<ClientSession> all = new ArrayList<>();
        byUser.values().forEach(all::addAll);
        return all;
    }

    public int size() {
        int n = 0;
        for (List<ClientSession> sessions : byUser.values()) {
            n += sessions.size();
        }
        return n;
    }
}
