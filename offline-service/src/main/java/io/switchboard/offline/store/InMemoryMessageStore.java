package io.switchboard.offline.store;

import io.switchboard.protocol.envelope.InboundMessage;
import io.switchboard.protocol.envelope.SequencedMessage;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Mono;

/** A {@link MessageStore} in this JVM's memory, for unit tests and single-node development. */
public final class InMemoryMessageStore implements MessageStore {

    private static final class Inbox {
        long lastSeq;
        final Map<String, Long> seqById = new HashMap<>();
    }

    private final Map<String, Inbox> inboxes = new ConcurrentHashMap<>();

    @Override
    public Mono<SequencedMessage> append(InboundMessage m) {
        return Mono.fromSupplier(() -> {
            Inbox inbox = inboxes.computeIfAbsent(m.to(), r -> new Inbox());
            synchronized (inbox) {
                long seq = inbox.seqById.computeIfAbsent(m.id(), id -> ++inbox.lastSeq);
                return new SequencedMessage(m.id(), seq, m.from(), m.to(), m.ts(), m.body());
            }
        });
    }

    @Override
    public Mono<Long> lastSeq(String recipient) {
        return Mono.fromSupplier(() -> {
            Inbox inbox = inboxes.get(recipient);
            if (inbox == null) {
                return 0L;
            }
            synchronized (inbox) {
                return inbox.lastSeq;
            }
        });
    }
}
