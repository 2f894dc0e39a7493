package io.switchboard.gateway.groups;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.switchboard.redis.LuaScript;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * {@link GroupStore} in Redis, per group (hash-tagged, one Redis Cluster slot): {@code sb:group:{g}}
 * (hash, {@code created}: the group exists) and {@code sb:group:{g}:members} (set of user ids). Every
 * change is one Lua script, so it is atomic; no key expires.
 */
public final class RedisGroupStore implements GroupStore {

    private static final LuaScript CREATE =
            LuaScript.fromResource(RedisGroupStore.class, "group-create.lua", ScriptOutputType.INTEGER);
    private static final LuaScript ADD =
            LuaScript.fromResource(RedisGroupStore.class, "group-add.lua", ScriptOutputType.INTEGER);
    private static final LuaScript REMOVE =
            LuaScript.fromResource(RedisGroupStore.class, "group-remove.lua", ScriptOutputType.INTEGER);
    private static final LuaScript MEMBERS =
            LuaScript.fromResource(RedisGroupStore.class, "group-members.lua", ScriptOutputType.MULTI);

    private final RedisReactiveCommands<String, String> redis;
    private final String maxMembers;

    public RedisGroupStore(RedisReactiveCommands<String, String> redis, int maxMembers) {
        this.redis = redis;
        this.maxMembers = Integer.toString(maxMembers);
    }

    static String[] keys(String group) {
        String tag = "{" + group + "}";
        return new String[] {"sb:group:" + tag, "sb:group:" + tag + ":members"};
    }

    private String[] args(Collection<String> users) {
        List<String> args = new ArrayList<>(users.size() + 1);
        args.add(maxMembers);
        args.addAll(users);
        return args.toArray(String[]::new);
    }

    @Override
    public Mono<Change> create(String group, Collection<String> members) {
        return CREATE.<Long>run(redis, keys(group), args(members)).map(result -> {
            if (result == 1L) {
                return new Change(Outcome.DONE, members.size());
            }
            return Change.of(result == 0L ? Outcome.EXISTS : Outcome.TOO_MANY_MEMBERS);
        });
    }

    @Override
    public Mono<Boolean> delete(String group) {
        return redis.del(keys(group)).map(deleted -> deleted > 0);
    }

    @Override
    public Mono<Change> add(String group, Collection<String> users) {
        return ADD.<Long>run(redis, keys(group), args(users)).map(result -> {
            if (result >= 0) {
                return new Change(Outcome.DONE, result.intValue());
            }
            return Change.of(result == -1L ? Outcome.NO_SUCH_GROUP : Outcome.TOO_MANY_MEMBERS);
        });
    }

    @Override
    public Mono<Change> remove(String group, String user) {
        return REMOVE.<Long>run(redis, keys(group), user)
                .map(result -> Change.of(result < 0 ? Outcome.NO_SUCH_GROUP : Outcome.DONE));
    }

    @Override
    public Mono<Optional<List<String>>> members(String group) {
        return MEMBERS.<List<Object>>run(redis, keys(group)).map(reply -> {
            if (reply.isEmpty()) {
                return Optional.empty();
            }
            List<String> members = new ArrayList<>(reply.size() - 1);
            for (int i = 1; i < reply.size(); i++) {
                members.add((String) reply.get(i));
            }
            members.sort(null);
            return Optional.of(members);
        });
    }
}
