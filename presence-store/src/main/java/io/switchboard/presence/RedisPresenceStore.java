package io.switchboard.presence;

import io.lettuce.core.Consumer;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.switchboard.protocol.envelope.PresenceChange;
import io.switchboard.redis.LuaScript;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Presence in Redis. Every operation is one call of one Lua script, {@code presence.lua}, which
 * holds the key schema (docs/architecture.md) and the rules of when a user goes online or offline,
 * once. Deadlines come from Redis's clock ({@code TIME}) inside the script, so callers' clocks never
 * matter. Sweeps find due entries through sorted sets of deadlines, never through keyspace
 * notifications. The change events wait in a Redis stream, {@value #EVENTS}, read by the consumer
 * group {@value #PUBLISHERS}.
 *
 * <p>The script touches the keys of several users and nodes in one call, so presence needs one
 * Redis primary (with replicas or Sentinel as wanted), not Redis Cluster.
 */
public final class RedisPresenceStore implements PresenceStore, PresenceKeeper {

    static final String EVENTS = "sb:presence:events";
    static final String PUBLISHERS = "presence-publishers";

    /** Sessions per refresh call: enough to make a refresh cheap, few enough to keep Redis responsive. */
    static final int REFRESH_CHUNK = 500;

    static final int USERS_PER_CALL = 500;

    private static final LuaScript PRESENCE =
            LuaScript.fromResource(RedisPresenceStore.class, "presence.lua", ScriptOutputType.MULTI);
    private static final LuaScript PRESENCE_INT =
            LuaScript.fromResource(RedisPresenceStore.class, "presence.lua", ScriptOutputType.INTEGER);
    private static final String[] NO_KEYS = {};

    private final RedisReactiveCommands<String, String> redis;
    private final Mono<Void> group;

    public RedisPresenceStore(RedisReactiveCommands<String, String> redis) {
        this.redis = redis;
        this.group = redis.xgroupCreate(
                        XReadArgs.StreamOffset.from(EVENTS, "0"), PUBLISHERS, XGroupCreateArgs.Builder.mkstream())
                .onErrorResume(RedisBusyException.class, e -> Mono.just("exists"))
                .then();
    }

    private Mono<Long> integer(String... args) {
        return PRESENCE_INT.run(redis, NO_KEYS, args);
    }

    private Mono<List<Object>> multi(String... args) {
        return PRESENCE.<List<Object>>run(redis, NO_KEYS, args).defaultIfEmpty(List.of());
    }

    @Override
    public Mono<Void> register(PresenceSession s, Duration ttl) {
        return integer(
                        "register",
                        s.userId(),
                        s.sessionId(),
                        Long.toString(ttl.toMillis()),
                        Long.toString(s.connectedAt()),
                        s.nodeId(),
                        s.device())
                .then();
    }

    @Override
    public Mono<List<PresenceSession>> refresh(Collection<SessionBeat> beats, Duration ttl) {
        List<SessionBeat> all = List.copyOf(beats);
        List<List<SessionBeat>> chunks = new ArrayList<>();
        for (int i = 0; i < all.size(); i += REFRESH_CHUNK) {
            chunks.add(all.subList(i, Math.min(all.size(), i + REFRESH_CHUNK)));
        }
        // Lettuce pipelines the chunks on the one connection: about one round trip per refresh.
        return Flux.fromIterable(chunks)
                .flatMap(chunk -> refreshChunk(chunk, ttl), 16)
                .collectList()
                .map(lists -> lists.stream().flatMap(List::stream).toList());
    }

    private Mono<List<PresenceSession>> refreshChunk(List<SessionBeat> chunk, Duration ttl) {
        String[] args = new String[2 + 3 * chunk.size()];
        args[0] = "refresh";
        args[1] = Long.toString(ttl.toMillis());
        int i = 2;
        for (SessionBeat beat : chunk) {
            args[i++] = beat.session().userId();
            args[i++] = beat.session().sessionId();
            args[i++] = Long.toString(Math.max(0, beat.silentMillis()));
        }
        return multi(args)
                .map(missing -> missing.stream()
                        .map(position ->
                                chunk.get(((Long) position).intValue() - 1).session())
                        .toList());
    }

    @Override
    public Mono<Void> unregister(PresenceSession s, OfflineCause cause) {
        return integer("unregister", s.userId(), s.sessionId(), cause.wire()).then();
    }

    @Override
    public Mono<Boolean> renewLease(String nodeId, Duration lease) {
        return integer("lease", nodeId, Long.toString(lease.toMillis())).map(live -> live == 1L);
    }

    @Override
    public Mono<Void> releaseLease(String nodeId) {
        return integer("release", nodeId).then();
    }

    @Override
    public Mono<List<PresenceSession>> sessionsOf(String userId) {
        return multi("sessions", userId)
                .map(flat -> sessions(userId, flat, 0).stream()
                        .map(LiveSession::session)
                        .toList());
    }

    /** One script call per {@value #USERS_PER_CALL} users, so a call never holds Redis for long. */
    @Override
    public Mono<Map<String, List<PresenceSession>>> sessionsOf(Collection<String> userIds) {
        List<String> users = List.copyOf(new LinkedHashSet<>(userIds));
        return Flux.range(0, (users.size() + USERS_PER_CALL - 1) / USERS_PER_CALL)
                .flatMap(chunk -> {
                    List<String> some =
                            users.subList(chunk * USERS_PER_CALL, Math.min(users.size(), (chunk + 1) * USERS_PER_CALL));
                    String[] args = new String[some.size() + 1];
                    args[0] = "sessions_many";
                    for (int i = 0; i < some.size(); i++) {
                        args[i + 1] = some.get(i);
                    }
                    return multi(args).flatMapIterable(rows -> {
                        List<Map.Entry<String, List<PresenceSession>>> found = new ArrayList<>(rows.size());
                        for (int i = 0; i < rows.size(); i++) {
                            @SuppressWarnings("unchecked")
                            List<Object> flat = (List<Object>) rows.get(i);
                            found.add(Map.entry(
                                    some.get(i),
                                    sessions(some.get(i), flat, 0).stream()
                                            .map(LiveSession::session)
                                            .toList()));
                        }
                        return found;
                    });
                })
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    @Override
    public Mono<UserPresence> presenceOf(String userId) {
        return multi("presence", userId).map(flat -> {
            List<LiveSession> live = sessions(userId, flat, 4);
            long lastSeen = live.stream().mapToLong(LiveSession::lastSeen).max().orElse(0);
            return new UserPresence(userId, !live.isEmpty(), Math.max(lastSeen, (Long) flat.get(2)), live);
        });
    }

    @Override
    public Mono<List<PresenceStatus>> statusOf(List<String> userIds) {
        if (userIds.isEmpty()) {
            return Mono.just(List.of());
        }
        String[] args = new String[userIds.size() + 1];
        args[0] = "status";
        for (int i = 0; i < userIds.size(); i++) {
            args[i + 1] = userIds.get(i);
        }
        return multi(args).map(rows -> {
            List<PresenceStatus> statuses = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                @SuppressWarnings("unchecked")
                List<Object> row = (List<Object>) rows.get(i);
                statuses.add(new PresenceStatus(
                        userIds.get(i), (Long) row.get(0) == 1L, (Long) row.get(1), (Long) row.get(2), (Long)
                                row.get(3)));
            }
            return statuses;
        });
    }

    /** Session entries from the script's flat id, value, id, value, … list, starting at {@code from}. */
    private static List<LiveSession> sessions(String userId, List<Object> flat, int from) {
        List<LiveSession> sessions = new ArrayList<>((flat.size() - from) / 2);
        for (int i = from; i + 1 < flat.size(); i += 2) {
            // value: deadline|connectedAt|lastSeen|node|device
            String[] parts = ((String) flat.get(i + 1)).split("\\|", 5);
            sessions.add(new LiveSession(
                    new PresenceSession(userId, parts[4], (String) flat.get(i), parts[3], Long.parseLong(parts[1])),
                    Long.parseLong(parts[2])));
        }
        sessions.sort(Comparator.comparingLong(s -> s.session().connectedAt()));
        return sessions;
    }

    @Override
    public Mono<SweepResult> sweep(Duration grace, int limit) {
        return multi("sweep", Long.toString(grace.toMillis()), Integer.toString(limit))
                .map(r -> new SweepResult(
                        ((Long) r.get(0)).intValue(),
                        ((Long) r.get(1)).intValue(),
                        ((Long) r.get(2)).intValue(),
                        (Long) r.get(3) == 1L,
                        (Long) r.get(4)));
    }

    @Override
    public Mono<List<OutboxEvent>> claimEvents(String consumer, int max, Duration abandonedAfter) {
        Consumer<String> me = Consumer.from(PUBLISHERS, consumer);
        Mono<List<OutboxEvent>> abandoned = redis.xautoclaim(
                        EVENTS,
                        new XAutoClaimArgs<String>()
                                .consumer(me)
                                .minIdleTime(abandonedAfter)
                                .startId("0-0")
                                .count(max))
                .map(claimed -> events(claimed.getMessages()));
        // The group is created on first use, and again if Redis lost it (restarted without its data).
        return abandoned
                .onErrorResume(e -> String.valueOf(e.getMessage()).contains("NOGROUP"), e -> group.then(abandoned))
                .flatMap(old -> {
                    if (old.size() >= max) {
                        return Mono.just(old);
                    }
                    return redis.xreadgroup(
                                    me,
                                    XReadArgs.Builder.count(max - old.size()),
                                    XReadArgs.StreamOffset.lastConsumed(EVENTS))
                            .collectList()
                            .map(fresh -> {
                                List<OutboxEvent> all = new ArrayList<>(old);
                                all.addAll(events(fresh));
                                return all;
                            });
                });
    }

    private static List<OutboxEvent> events(List<StreamMessage<String, String>> messages) {
        List<OutboxEvent> events = new ArrayList<>(messages.size());
        for (StreamMessage<String, String> m : messages) {
            Map<String, String> f = m.getBody();
            if (f == null || f.get("user") == null) {
                continue; // trimmed away while pending
            }
            events.add(new OutboxEvent(
                    m.getId(),
                    new PresenceChange(
                            f.get("user"),
                            "online".equals(f.get("status")),
                            Long.parseLong(f.get("at")),
                            f.get("cause"),
                            Long.parseLong(f.get("lastSeen")),
                            Long.parseLong(f.get("version")))));
        }
        return events;
    }

    @Override
    public Mono<Void> acknowledge(List<OutboxEvent> events) {
        if (events.isEmpty()) {
            return Mono.empty();
        }
        String[] ids = events.stream().map(OutboxEvent::id).toArray(String[]::new);
        return redis.xack(EVENTS, PUBLISHERS, ids).then(redis.xdel(EVENTS, ids)).then();
    }

    @Override
    public Mono<Stats> stats() {
        return multi("stats").map(r -> {
            Map<String, Long> byNode = new LinkedHashMap<>();
            for (int i = 2; i + 1 < r.size(); i += 2) {
                byNode.put((String) r.get(i), (Long) r.get(i + 1));
            }
            return new Stats((Long) r.get(0), byNode, ((Long) r.get(1)).intValue());
        });
    }
}
