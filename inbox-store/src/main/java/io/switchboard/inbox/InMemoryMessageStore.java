package io.switchboard.inbox;

import io.switchboard.protocol.envelope.InboundMessage;
import io.switchboard.protocol.envelope.SequencedMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A {@link MessageStore} in this JVM's memory, for unit tests and single-node development. Applies
 * the same retention and cap as the Redis store, on append.
 */
public final class InMemoryMessageStore implements MessageStore {

    private static final class Inbox {
        long lastSeq;
        final ArrayDeque<SequencedMessage> messages = new ArrayDeque<>();
        final Map<String, Long> seqById = new HashMap<>();
    }

    private final Map<String, Inbox> inboxes = new ConcurrentHashMap<>();
    private final Duration retention;
    private final int maxMessages;
    private final Clock clock;

    /** A store without retention or cap. */
    public InMemoryMessageStore() {
        this(Duration.ofMillis(Long.MAX_VALUE), Integer.MAX_VALUE, Clock.systemUTC());
    }

    public InMemoryMessageStore(Duration retention, int maxMessages, Clock clock) {
        this.retention = retention;
        this.maxMessages = maxMessages;
        this.clock = clock;
    }

    @Override
    public Flux<SequencedMessage> appendAll(List<InboundMessage> messages) {
        return Flux.fromIterable(messages).concatMap(this::appendOne);
    }

    private Mono<SequencedMessage> appendOne(InboundMessage m) {
        return Mono.fromSupplier(() -> {
            Inbox inbox = inboxes.computeIfAbsent(m.to(), r -> new Inbox());
            synchronized (inbox) {
                Long known = inbox.seqById.get(m.id());
                if (known != null) {
                    return SequencedMessage.of(m, known);
                }
                SequencedMessage stored = SequencedMessage.of(m, ++inbox.lastSeq);
                inbox.messages.addLast(stored);
                inbox.seqById.put(m.id(), stored.seq());
                long cutoff = clock.millis() - Math.min(retention.toMillis(), clock.millis());
                while (!inbox.messages.isEmpty()
                        && (inbox.messages.size() > maxMessages
                                || inbox.messages.peekFirst().ts() < cutoff)) {
                    inbox.seqById.remove(inbox.messages.removeFirst().id());
                }
                return stored;
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

    @Override
    public Mono<InboxPage> read(String recipient, long after, int limit) {
        return Mono.fromSupplier(() -> {
            Inbox inbox = inboxes.get(recipient);
            if (inbox == null) {
                return new InboxPage(after, List.of(), 1, 0);
            }
            synchronized (inbox) {
                List<SequencedMessage> page = new ArrayList<>();
                for (SequencedMessage m : inbox.messages) {
                    if (page.size() == limit) {
                        break;
                    }
                    if (m.seq() > after) {
                        page.add(m);
                    }
                }
                long firstStored = inbox.messages.isEmpty()
                        ? inbox.lastSeq + 1
                        : inbox.messages.peekFirst().seq();
                return new InboxPage(after, page, firstStored, inbox.lastSeq);
            }
        });
    }
}
