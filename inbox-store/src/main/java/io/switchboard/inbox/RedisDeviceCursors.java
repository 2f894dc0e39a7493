package io.switchboard.inbox;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.switchboard.redis.LuaScript;
import java.time.Duration;
import reactor.core.publisher.Mono;

/**
 * {@link DeviceCursors} in Redis: one hash per user, {@code sb:cursor:{user}}, device → seq, raised by
 * a script so that it only moves forward. The hash expires {@code timeToLive} after the user's last
 * confirmation, which should be well beyond the inbox retention: a device that comes back after its
 * messages expired is then told of a gap only for messages it really never got.
 */
public final class RedisDeviceCursors implements DeviceCursors {

    private static final LuaScript CONFIRM =
            LuaScript.fromResource(RedisDeviceCursors.class, "cursor-confirm.lua", ScriptOutputType.INTEGER);

    private final RedisReactiveCommands<String, String> redis;
    private final String timeToLiveMillis;

    public RedisDeviceCursors(RedisReactiveCommands<String, String> redis, Duration timeToLive) {
        this.redis = redis;
        this.timeToLiveMillis = Long.toString(timeToLive.toMillis());
    }

    static String key(String user) {
        return "sb:cursor:{" + user + "}";
    }

    @Override
    public Mono<Long> get(String user, String device) {
        return redis.hget(key(user), device).map(Long::parseLong).defaultIfEmpty(0L);
    }

    @Override
    public Mono<Void> confirm(String user, String device, long seq) {
        return CONFIRM.<Long>run(redis, new String[] {key(user)}, device, Long.toString(seq), timeToLiveMillis)
                .then();
    }
}
