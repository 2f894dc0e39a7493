package io.switchboard.inbox;

import io.switchboard.protocol.envelope.InboundMessage;
import io.switchboard.protocol.envelope.SequencedMessage;
import reactor.core.publisher.Mono;

/**
 * Each recipient's stored messages, numbered by a per-recipient sequence.
 *
 * <p>Guarantees, for every implementation:
 *
 * <ul>
 *   <li>{@link #append} gives a recipient's messages the sequence numbers 1, 2, 3, … in the order
 *       the appends are issued, with no gap; the number is assigned and the message stored in one
 *       atomic step.
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
    Mono<SequencedMessage> append(InboundMessage message);

    /** The highest seq given to the recipient so far; 0 when none. */
    Mono<Long> lastSeq(String recipient);

    /**
     * Reads the recipient's stored messages with a seq greater than {@code after}, oldest first, at
     * most {@code limit} of them, in one consistent snapshot (a concurrent append is either wholly in
     * the page or not at all).
     */
    Mono<InboxPage> read(String recipient, long after, int limit);
}
