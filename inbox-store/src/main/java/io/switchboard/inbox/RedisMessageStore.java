package io.switchboard.inbox;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.switchboard.protocol.envelope.EnvelopeCodec;
import io.switchboard.protocol.envelope.InboundMessage;
import io.switchboard.protocol.envelope.SequencedMessage;
import io.switchboard.redis.LuaScript;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A {@link MessageStore} in Redis; a Lua script assigns the seqs, stores the messages and trims by
 * retention and cap atomically, for many recipients per call. Keys per recipient (hash-tagged):
 *
 * <ul>
 *   <li>{@code sb:inbox:{user}:seq} — the last seq given; never expires, so a sequence never restarts
 *   <li>{@code sb:inbox:{user}:msgs} — sorted set, score = seq, member = the inbound envelope JSON
 *   <li>{@code sb:inbox:{user}:ids} — hash, message id → seq, for idempotent appends; and the oldest
 *       kept message's {@code ts}, so that an append with nothing to trim skips reading that message
 * </ul>
 *
 * The last two expire {@code retention} after the recipient's newest message. One call touches
 * several recipients' keys, so the inbox needs one Redis primary (a Redis Cluster would need the calls
 * grouped by slot), as presence does.
 */
public final class RedisMessageStore implements MessageStore {

    private static final LuaScript APPEND =
            LuaScript.fromResource(RedisMessageStore.class, "inbox-append.lua", ScriptOutputType.MULTI);
    private static final LuaScript READ =
            LuaScript.fromResource(RedisMessageStore.class, "inbox-read.lua", ScriptOutputType.MULTI);

    /**
     * Recipients per script call. A call runs atomically, so Redis serves nothing else meanwhile: this
     * bounds one call to a few milliseconds of Redis time.
     */
    static final int RECIPIENTS_PER_CALL = 200;

    static final int MESSAGES_PER_CALL = 1000;

    private final RedisReactiveCommands<String, String> redis;
    private final EnvelopeCodec codec = new EnvelopeCodec();
    private final String retentionMillis;
    private final String maxMessages;

    public RedisMessageStore(RedisReactiveCommands<String, String> redis, Duration retention, int maxMessages) {
        this.redis = redis;
        this.retentionMillis = Long.toString(retention.toMillis());
        this.maxMessages = Integer.toString(maxMessages);
    }

    /**
     * A store for readers only (gateways replaying inboxes); its retention and cap matter only to
     * {@link #append}, which readers do not call.
     */
    public static RedisMessageStore reader(RedisReactiveCommands<String, String> redis) {
        return new RedisMessageStore(redis, Duration.ofDays(2), Integer.MAX_VALUE);
    }

    static String[] keys(String recipient) {
        String tag = "{" + recipient + "}";
        return new String[] {"sb:inbox:" + tag + ":seq", "sb:inbox:" + tag + ":msgs", "sb:inbox:" + tag + ":ids"};
    }

    /**
     * Script calls of up to {@value #RECIPIENTS_PER_CALL} recipients each, a recipient's messages
     * always whole in one call, so their order never depends on the order in which concurrent calls
     * reach Redis.
     */
    @Override
    public Flux<SequencedMessage> appendAll(List<InboundMessage> messages) {
        Map<String, List<InboundMessage>> byRecipient = new LinkedHashMap<>();
        for (InboundMessage m : messages) {
            byRecipient.computeIfAbsent(m.to(), r -> new ArrayList<>()).add(m);
        }
        List<List<Map.Entry<String, List<InboundMessage>>>> calls = new ArrayList<>();
        List<Map.Entry<String, List<InboundMessage>>> call = new ArrayList<>();
        int messagesInCall = 0;
        for (Map.Entry<String, List<InboundMessage>> inbox : byRecipient.entrySet()) {
            if (!call.isEmpty()
                    && (call.size() == RECIPIENTS_PER_CALL
                            || messagesInCall + inbox.getValue().size() > MESSAGES_PER_CALL)) {
                calls.add(call);
                call = new ArrayList<>();
                messagesInCall = 0;
            }
            call.add(inbox);
            messagesInCall += inbox.getValue().size();
        }
        calls.add(call);
        return Flux.fromIterable(calls)
                .flatMap(this::appendToInboxes)
                // by recipient and id: one message id may go to many recipients (fan-out, groups)
                .collectMap(m -> m.to() + '\n' + m.id())
                .flatMapIterable(stored -> messages.stream()
                        .map(m -> stored.get(m.to() + '\n' + m.id()))
                        .toList());
    }

    private Flux<SequencedMessage> appendToInboxes(List<Map.Entry<String, List<InboundMessage>>> inboxes) {
        String[] keys = new String[3 * inboxes.size()];
        List<String> args = new ArrayList<>();
        args.add(retentionMillis);
        args.add(maxMessages);
        List<InboundMessage> inOrder = new ArrayList<>();
        for (int r = 0; r < inboxes.size(); r++) {
            System.arraycopy(keys(inboxes.get(r).getKey()), 0, keys, 3 * r, 3);
            List<InboundMessage> messages = inboxes.get(r).getValue();
            args.add(Integer.toString(messages.size()));
            for (InboundMessage m : messages) {
                args.add(m.id());
                args.add(codec.encodeAsText(m));
                inOrder.add(m);
            }
        }
        return APPEND.<List<Object>>run(redis, keys, args.toArray(String[]::new))
                .flatMapIterable(seqs -> {
                    List<SequencedMessage> stored = new ArrayList<>(inOrder.size());
                    for (int i = 0; i < inOrder.size(); i++) {
                        stored.add(SequencedMessage.of(inOrder.get(i), (Long) seqs.get(i)));
                    }
                    return stored;
                });
    }

    @Override
    public Mono<Long> lastSeq(String recipient) {
        return redis.get(keys(recipient)[0]).map(Long::parseLong).defaultIfEmpty(0L);
    }

    @Override
    public Mono<InboxPage> read(String recipient, long after, int limit) {
        String[] keys = keys(recipient);
        return READ.<List<Object>>run(
                        redis, new String[] {keys[0], keys[1]}, Long.toString(after), Integer.toString(limit))
                .map(reply -> page(after, reply));
    }

    private InboxPage page(long after, List<Object> reply) {
        long lastSeq = (Long) reply.get(0);
        long firstStored = (Long) reply.get(1);
        List<SequencedMessage> messages = new ArrayList<>((reply.size() - 2) / 2);
        for (int i = 2; i + 1 < reply.size(); i += 2) {
            InboundMessage m = codec.decodeInbound((String) reply.get(i));
            long seq = (long) Double.parseDouble((String) reply.get(i + 1));
            messages.add(SequencedMessage.of(m, seq));
        }
        return new InboxPage(after, messages, firstStored, lastSeq);
    }
}
