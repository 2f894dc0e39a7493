package io.switchboard.inbox;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.switchboard.redis.LuaScript;
import java.time.Duration;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * {@link SendLedger} in Redis, per user: {@code sb:sent:{user}} (hash cid → {@code messageId|to}) and
 * {@code sb:sent:{user}:at} (sorted set cid → claimed-at, by Redis's clock), so claims older than the
 * window are forgotten a few at a time on later claims, and the whole pair expires a window after
 * the user's last send.
 */
public final class RedisSendLedger implements SendLedger {

    private static final LuaScript CLAIM =
            LuaScript.fromResource(RedisSendLedger.class, "send-claim.lua", ScriptOutputType.MULTI);

    private final RedisReactiveCommands<String, String> redis;
    private final String windowMillis;

    public RedisSendLedger(RedisReactiveCommands<String, String> redis, Duration window) {
        this.redis = redis;
        this.windowMillis = Long.toString(window.toMillis());
    }

    static String[] keys(String user) {
        String tag = "{" + user + "}";
        return new String[] {"sb:sent:" + tag, "sb:sent:" + tag + ":at"};
    }

    @Override
    public Mono<Claim> claim(String user, String cid, String messageId, String to) {
        return CLAIM.<List<Object>>run(redis, keys(user), cid, messageId, to, windowMillis)
                .map(reply -> {
                    String claim = (String) reply.get(1);
                    int bar = claim.indexOf('|');
                    return new Claim(claim.substring(0, bar), claim.substring(bar + 1), (Long) reply.get(0) == 1L);
                });
    }
}
