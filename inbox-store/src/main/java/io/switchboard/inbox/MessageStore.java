package io.switchboard.inbox;

import io.switchboard.protocol.envelope.InboundMessage;
import io.switchboard.protocol.envelope.SequencedMessage;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Each recipient's stored messages, numbered by a per-recipient sequence.
 *
 * <p>Guarantees, for every implementation:
 *
 * <ul>
 *   <li>A recipient's messages get the sequence numbers 1, 2, 3, … with no gap; the number is
 *       assigned and the message stored in one atomic step. {@link #appendAll} numbers one
 *       recipient's messages in list order. Two calls in flight at once may be numbered in either
 *       order (a Redis script lost in a restart is resent, behind later calls), so a caller that
 *       needs an order passes the messages in one {@code appendAll} or waits for each call.
 *   <li>Appending a message id that is already stored stores nothing and returns the seq it got the
 *       first time, so a redelivered Kafka record keeps its seq (idempotent by message id, for as long
 *       as the message is retained).
 *   <li>When {@code append} completes, the message is durable as far as the store is (Redis: in its
 *       AOF, fsynced every second by our configuration).
 *   <li>A recipient's sequence never restarts, even after all their messages expired.
 *   <li>Messages leave only from the oldest end (retention, then the per-recipient cap), so the stored
 *       seqs are always one contiguous range ending at {@link #lastSeq}; {@link #read} reports what
 *       was dropped before a reader got it as a gap, never silently.
 * </ul>
 */
public interface MessageStore {

    /** Stores {@code message} for its recipient ({@code to}) and returns it with its seq. */
    default Mono<SequencedMessage> append(InboundMessage message) {
        return appendAll(List.of(message)).next();
    }

    /**
     * Stores messages for their recipients and returns them with their seqs, in list order. Each
     * recipient's messages are numbered in list order; different recipients are stored independently
     * (one may be stored while another fails).
     */
    Flux<SequencedMessage> appendAll(List<InboundMessage> messages);

    /** The highest seq given to the recipient so far; 0 when none. */
    Mono<Long> lastSeq(String recipient);

    /**
     * Reads the recipient's stored messages with a seq greater than {@code after}, oldest first, at
     * most {@code limit} of them, in one consistent snapshot (a concurrent append is either wholly in
     * the page or not at all).
     */
    Mono<InboxPage> read(String recipient, long after, int limit);
}
