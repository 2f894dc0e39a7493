package io.switchboard.inbox;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.switchboard.redis.LuaScript;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * {@link SendLedger} in Redis, per user: {@code sb:sent:{user}} (hash cid → {@code messageId|to}) and
 * {@code sb:sent:{user}:at} (sorted set cid → claimed-at, by Redis's clock), so claims older than the
 * window are forgotten a few at a time on later claims, and the whole pair expires a window after
 * the user's last send.
 *
 * <p>Claims are grouped like a database's group commit: at most {@value #CALLS_IN_FLIGHT} script
 * calls are in flight, and the claims made meanwhile go together in the next call (at most
 * {@value #CLAIMS_PER_CALL}). A claim made while fewer calls are in flight is sent at once, so
 * grouping adds no wait at low rates, and under load one call carries many claims instead of one
 * round trip each. At most {@value #MAX_WAITING} claims wait; beyond that a claim fails at once
 * rather than queue without bound. Which of two concurrent claims of one cid wins does not depend
 * on grouping (the script decides atomically). One call touches several users' keys: the ledger
 * needs one Redis primary.
 */
public final class RedisSendLedger implements SendLedger {

    static final int CLAIMS_PER_CALL = 200;
    static final int MAX_WAITING = 65_536;
    static final int CALLS_IN_FLIGHT = 16;

    private static final LuaScript CLAIM =
            LuaScript.fromResource(RedisSendLedger.class, "send-claim.lua", ScriptOutputType.MULTI);

    private final RedisReactiveCommands<String, String> redis;
    private final String windowMillis;
    private final ConcurrentLinkedQueue<Pending> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waitingCount = new AtomicInteger();
    private final AtomicInteger calling = new AtomicInteger();

    private record Pending(String user, String cid, String messageId, String to, MonoSink<Claim> sink) {}

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
        return Mono.create(sink -> {
            if (waitingCount.incrementAndGet() > MAX_WAITING) {
                waitingCount.decrementAndGet();
                sink.error(new IllegalStateException("send ledger overloaded: " + MAX_WAITING + " claims waiting"));
                return;
            }
            waiting.add(new Pending(user, cid, messageId, to, sink));
            callIfIdle();
        });
    }

    /** Starts calls while claims wait and fewer than {@link #CALLS_IN_FLIGHT} are in flight. */
    private void callIfIdle() {
        while (!waiting.isEmpty()) {
            int inFlight = calling.get();
            if (inFlight >= CALLS_IN_FLIGHT) {
                return; // a completing call starts the next one
            }
            if (!calling.compareAndSet(inFlight, inFlight + 1)) {
                continue;
            }
            List<Pending> claims = new ArrayList<>(Math.min(CLAIMS_PER_CALL, Math.max(1, waitingCount.get())));
            Pending next;
            while (claims.size() < CLAIMS_PER_CALL && (next = waiting.poll()) != null) {
                claims.add(next);
            }
            waitingCount.addAndGet(-claims.size());
            if (claims.isEmpty()) {
                calling.decrementAndGet(); // another thread took them between the check and the poll
                continue;
            }
            call(claims);
        }
    }

    private void call(List<Pending> claims) {
        String[] keys = new String[2 * claims.size()];
        String[] args = new String[1 + 3 * claims.size()];
        args[0] = windowMillis;
        for (int c = 0; c < claims.size(); c++) {
            Pending claim = claims.get(c);
            String[] userKeys = keys(claim.user());
            keys[2 * c] = userKeys[0];
            keys[2 * c + 1] = userKeys[1];
            args[1 + 3 * c] = claim.cid();
            args[2 + 3 * c] = claim.messageId();
            args[3 + 3 * c] = claim.to();
        }
        CLAIM.<List<Object>>run(redis, keys, args)
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("send-claim returned nothing")))
                .doFinally(signal -> {
                    calling.decrementAndGet();
                    callIfIdle();
                })
                .subscribe(
                        reply -> answer(claims, reply),
                        error -> claims.forEach(c -> c.sink().error(error)));
    }

    private static void answer(List<Pending> claims, List<Object> reply) {
        if (reply.size() != 2 * claims.size()) {
            IllegalStateException error = new IllegalStateException(
                    "send-claim answered " + reply.size() + " values for " + claims.size() + " claims");
            claims.forEach(c -> c.sink().error(error));
            return;
        }
        for (int c = 0; c < claims.size(); c++) {
            String claim = (String) reply.get(2 * c + 1);
            int bar = claim.indexOf('|');
            claims.get(c)
                    .sink()
                    .success(new Claim(
                            claim.substring(0, bar), claim.substring(bar + 1), (Long) reply.get(2 * c) == 1L));
        }
    }
}
