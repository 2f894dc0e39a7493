package io.switchboard.protocol.envelope;

import io.switchboard.protocol.RawJson;

/**
 * A message stored for its recipient under the recipient's sequence number: the value of
 * {@link Topics#SEQUENCED} records and of the per-node delivery topics, keyed by {@code to}.
 *
 * @param seq the recipient's gap-free sequence number (1, 2, 3, …); the same message id always
 *     carries the same seq, however often it is redelivered
 */
public record SequencedMessage(String id, long seq, String from, String to, long ts, RawJson body) {}
