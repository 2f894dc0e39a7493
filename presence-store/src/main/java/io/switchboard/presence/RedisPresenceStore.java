package io.switchboard.presence;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.switchboard.redis.LuaScript;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A {@link PresenceStore} in Redis. One hash per user, {@code sb:presence:{userId}}, maps each
 * session id to {@code expiresAt|connectedAt|nodeId|device}; deadlines come from Redis's own clock
 * ({@code TIME}) inside Lua scripts, so gateways' clocks never matter. The key itself expires when
 * its last session would, so a user who vanishes leaves nothing behind. The full key schema is in
 * {@code docs/redis-keys.md}.
 */
public final class RedisPresenceStore implements PresenceStore {

    private static final LuaScript REGISTER =
            LuaScript.fromResource(RedisPresenceStore.class, "presence-register.lua", ScriptOutputType.INTEGER);
    private static final LuaScript REFRESH =
            LuaScript.fromResource(RedisPresenceStore.class, "presence-refresh.lua", ScriptOutputType.INTEGER);
    private static final LuaScript UNREGISTER =
            LuaScript.fromResource(RedisPresenceStore.class, "presence-unregister.lua", ScriptOutputType.INTEGER);
    private static final LuaScript LIVE =
            LuaScript.fromResource(RedisPresenceStore.class, "presence-live.lua", ScriptOutputType.MULTI);

    private final RedisReactiveCommands<String, String> redis;

    public RedisPresenceStore(RedisReactiveCommands<String, String> redis) {
        this.redis = redis;
    }

    static String userKey(String userId) {
        // The braces make a Redis Cluster hash tag: all of one user's keys live in one slot.
        return "sb:presence:{" + userId + "}";
    }

    @Override
    public Mono<Void> register(PresenceSession s, Duration ttl) {
        return REGISTER.run(
                        redis,
                        new String[] {userKey(s.userId())},
                        s.sessionId(),
                        Long.toString(ttl.toMillis()),
                        s.connectedAt() + "|" + s.nodeId() + "|" + s.device())
                .then();
    }

    @Override
    public Mono<Void> refresh(Collection<PresenceSession> sessions, Duration ttl) {
        // Lettuce pipelines commands issued on one connection without waiting, so the batch costs
        // about one round trip however many users it touches.
        String ttlMillis = Long.toString(ttl.toMillis());
        return Flux.fromIterable(sessions)
                .flatMap(s -> REFRESH.run(redis, new String[] {userKey(s.userId())}, s.sessionId(), ttlMillis), 256)
                .then();
    }

    @Override
    public Mono<Void> unregister(PresenceSession s) {
        return UNREGISTER
                .run(redis, new String[] {userKey(s.userId())}, s.sessionId())
                .then();
    }

    @Override
    public Mono<List<PresenceSession>> sessionsOf(String userId) {
        return LIVE.<List<Object>>run(redis, new String[] {userKey(userId)})
                .defaultIfEmpty(List.of())
                .map(flat -> parse(userId, flat));
    }

    private static List<PresenceSession> parse(String userId, List<Object> flat) {
        // The script returns session id, value, session id, value, …
        List<PresenceSession> sessions = new ArrayList<>(flat.size() / 2);
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            String sessionId = (String) flat.get(i);
            String[] parts = ((String) flat.get(i + 1)).split("\\|", 4);
            sessions.add(new PresenceSession(userId, parts[3], sessionId, parts[2], Long.parseLong(parts[1])));
        }
        sessions.sort(Comparator.comparingLong(PresenceSession::connectedAt));
        return sessions;
    }
}
