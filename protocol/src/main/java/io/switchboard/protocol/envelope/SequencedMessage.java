package io.switchboard.protocol.envelope;

import io.switchboard.protocol.RawJson;

/**
 * A message stored for its recipient under the recipient's sequence number: the value of
 * {@link Topics#SEQUENCED} records and of the per-node delivery topics, keyed by {@code to}.
 *
 * @param seq the recipient's gap-free sequence number (1, 2, 3, …); the same message id always
 *     carries the same seq, however often it is redelivered
 * @param group the group id when this is a member's copy of a group message, else {@code null}
 */
public record SequencedMessage(String id, long seq, String from, String to, long ts, RawJson body, String group) {

    /** A direct message (no group). */
    public SequencedMessage(String id, long seq, String from, String to, long ts, RawJson body) {
        this(id, seq, from, to, ts, body, null);
    }

    /** {@code message} stored under {@code seq}. */
    public static SequencedMessage of(InboundMessage message, long seq) {
        return new SequencedMessage(
                message.id(), seq, message.from(), message.to(), message.ts(), message.body(), message.group());
    }
}
