package io.switchboard.inbox;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.switchboard.redis.GroupedCalls;
import io.switchboard.redis.LuaScript;
import java.time.Duration;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * {@link DeviceCursors} in Redis: one hash per user, {@code sb:cursor:{user}}, device → seq, raised by
 * a script so that it only moves forward. The hash expires {@code timeToLive} after the user's last
 * confirmation, which should be well beyond the inbox retention: a device that comes back after its
 * messages expired is then told of a gap only for messages it really never got.
 *
 * <p>Confirmations are grouped ({@link GroupedCalls}), as the send ledger's claims are: at most
 * {@value #CALLS_IN_FLIGHT} script calls in flight, the confirmations made meanwhile together in the
 * next call (at most {@value #CONFIRMATIONS_PER_CALL}), at most {@value #MAX_WAITING} waiting. A
 * device confirms every few messages: a round trip each would be one per two or three messages
 * delivered when Redis is busy or far away. One call touches several users' keys: the cursors need
 * one Redis primary.
 */
public final class RedisDeviceCursors implements DeviceCursors {

    static final int CONFIRMATIONS_PER_CALL = 200;
    static final int MAX_WAITING = 65_536;
    static final int CALLS_IN_FLIGHT = 16;

    private static final LuaScript CONFIRM =
            LuaScript.fromResource(RedisDeviceCursors.class, "cursor-confirm.lua", ScriptOutputType.MULTI);

    private final RedisReactiveCommands<String, String> redis;
    private final String timeToLiveMillis;
    private final GroupedCalls<Confirmation, Long> confirmations;

    private record Confirmation(String user, String device, long seq) {}

    public RedisDeviceCursors(RedisReactiveCommands<String, String> redis, Duration timeToLive) {
        this.redis = redis;
        this.timeToLiveMillis = Long.toString(timeToLive.toMillis());
        this.confirmations =
                new GroupedCalls<>("device cursors", CALLS_IN_FLIGHT, CONFIRMATIONS_PER_CALL, MAX_WAITING, this::call);
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
        return confirmations.submit(new Confirmation(user, device, seq)).then();
    }

    private Mono<List<Long>> call(List<Confirmation> requests) {
        String[] keys = new String[requests.size()];
        String[] args = new String[1 + 2 * requests.size()];
        args[0] = timeToLiveMillis;
        for (int c = 0; c < requests.size(); c++) {
            Confirmation confirmation = requests.get(c);
            keys[c] = key(confirmation.user());
            args[1 + 2 * c] = confirmation.device();
            args[2 + 2 * c] = Long.toString(confirmation.seq());
        }
        return CONFIRM.<List<Object>>run(redis, keys, args)
                .map(reply -> reply.stream().map(Long.class::cast).toList());
    }
}
