package io.switchboard.inbox;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.switchboard.redis.GroupedCalls;
import io.switchboard.redis.LuaScript;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * {@link SendLedger} in Redis, per user: two generations of claims, {@code sb:sent:{user}} and {@code
 * sb:sent:{user}:prev} (hashes cid → {@code messageId|to}). The first claim a window after the current
 * generation started (by Redis's clock) renames it to {@code :prev}, dropping the one before; so a
 * claim is remembered for at least the window and at most two, and a user's claims cost one hash
 * entry each. A generation expires two windows after it started (every claim in it was made within
 * its first window), also once it is {@code :prev}.
 *
 * <p>Claims are grouped ({@link GroupedCalls}): at most {@value #CALLS_IN_FLIGHT} script calls are in
 * flight, and the claims made meanwhile go together in the next call (at most
 * {@value #CLAIMS_PER_CALL}); a claim made while fewer calls are in flight is sent at once. At most
 * {@value #MAX_WAITING} claims wait; beyond that a claim fails at once. Which of two concurrent
 * claims of one cid wins does not depend on grouping (the script decides atomically). One call
 * touches several users' keys: the ledger needs one Redis primary.
 */
public final class RedisSendLedger implements SendLedger {

    static final int CLAIMS_PER_CALL = 200;
    static final int MAX_WAITING = 65_536;
    static final int CALLS_IN_FLIGHT = 16;

    private static final LuaScript CLAIM =
            LuaScript.fromResource(RedisSendLedger.class, "send-claim.lua", ScriptOutputType.MULTI);

    private final RedisReactiveCommands<String, String> redis;
    private final String windowMillis;
    private final GroupedCalls<Request, Claim> claims;

    private record Request(String user, String cid, String messageId, String to) {}

    public RedisSendLedger(RedisReactiveCommands<String, String> redis, Duration window) {
        this.redis = redis;
        this.windowMillis = Long.toString(window.toMillis());
        this.claims = new GroupedCalls<>("send ledger", CALLS_IN_FLIGHT, CLAIMS_PER_CALL, MAX_WAITING, this::call);
    }

    static String[] keys(String user) {
        String tag = "{" + user + "}";
        return new String[] {"sb:sent:" + tag, "sb:sent:" + tag + ":prev"};
    }

    @Override
    public Mono<Claim> claim(String user, String cid, String messageId, String to) {
        return claims.submit(new Request(user, cid, messageId, to));
    }

    private Mono<List<Claim>> call(List<Request> requests) {
        String[] keys = new String[2 * requests.size()];
        String[] args = new String[1 + 3 * requests.size()];
        args[0] = windowMillis;
        for (int c = 0; c < requests.size(); c++) {
            Request claim = requests.get(c);
            String[] userKeys = keys(claim.user());
            keys[2 * c] = userKeys[0];
            keys[2 * c + 1] = userKeys[1];
            args[1 + 3 * c] = claim.cid();
            args[2 + 3 * c] = claim.messageId();
            args[3 + 3 * c] = claim.to();
        }
        return CLAIM.<List<Object>>run(redis, keys, args).map(RedisSendLedger::claims);
    }

    /** The script's reply, a flag and a claim per request, as claims. */
    private static List<Claim> claims(List<Object> reply) {
        List<Claim> answers = new ArrayList<>(reply.size() / 2);
        for (int c = 0; c + 1 < reply.size(); c += 2) {
            String claim = (String) reply.get(c + 1);
            int bar = claim.indexOf('|');
            answers.add(new Claim(claim.substring(0, bar), claim.substring(bar + 1), (Long) reply.get(c) == 1L));
        }
        return answers;
    }
}
