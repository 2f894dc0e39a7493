package io.switchboard.protocol.frame;

import io.switchboard.protocol.Ids;
import io.switchboard.protocol.RawJson;
import io.switchboard.protocol.envelope.SequencedMessage;

/** A frame the gateway sends to a client (protocol v1). */
public sealed interface ServerFrame {

    /**
     * The first frame of a session, sent once deliveries to it are guaranteed.
     *
     * @param after the seq after which this session's replay starts (the device's cursor, or the
     *     {@code after} the client connected with)
     */
    record Welcome(String user, String device, String session, long after) implements ServerFrame {}

    /** The message with this {@code cid} is durably accepted under message id {@code id}. */
    record Ack(String cid, String id) implements ServerFrame {}

    /**
     * A delivered message.
     *
     * @param seq the recipient's gap-free sequence number for this message (1, 2, 3, …)
     * @param to the recipient (the session's own user) for a direct message; {@code group:<id>} for
     *     a group message
     * @param ts epoch milliseconds at which the gateway accepted the message
     */
    record Msg(String id, long seq, String from, String to, long ts, RawJson body) implements ServerFrame {

        /** The frame for a stored message: a group member's copy is addressed to the group. */
        public static Msg of(SequencedMessage m) {
            String to = m.group() == null ? m.to() : Ids.GROUP_PREFIX + m.group();
            return new Msg(m.id(), m.seq(), m.from(), to, m.ts(), m.body());
        }
    }

    /**
     * An announcement pushed to every session connected at the moment it was published
     * ({@code POST /api/v1/broadcast}); at most once, never stored or replayed.
     *
     * @param from who published it (a service or user id, as the publisher said)
     * @param ts epoch milliseconds at which a gateway accepted it
     */
    record Broadcast(String id, String from, long ts, RawJson body) implements ServerFrame {}

    /**
     * The presence of a user this session watches: sent once on subscribing, then on every change.
     *
     * @param at epoch milliseconds of the change (0 when the user was never seen)
     * @param lastSeen epoch milliseconds at which the user was last heard from (0 when never)
     */
    record Presence(String user, boolean online, long at, long lastSeen) implements ServerFrame {}

    /**
     * A request could not be served.
     *
     * @param cid the {@code cid} of the frame in error, or {@code null} when it is not known
     */
    record Error(String cid, ErrorCode code, String message) implements ServerFrame {}

    /** The answer to a client's {@link ClientFrame.Ping}. */
    record Pong() implements ServerFrame {}

    /**
     * Messages {@code from}..{@code to} (inclusive) of this user were dropped by retention or the
     * per-user cap before this device got them; they will never be delivered.
     */
    record Gap(long from, long to) implements ServerFrame {}

    /** Ends the answer to a {@link ClientFrame.Sync}: every message up to {@code upTo} has been sent. */
    record Synced(long upTo) implements ServerFrame {}
}
