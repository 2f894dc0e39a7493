package io.switchboard.protocol.frame;

import io.switchboard.protocol.RawJson;

/** A frame the gateway sends to a client (protocol v1). */
public sealed interface ServerFrame {

    /** The first frame of a session, sent once deliveries to it are guaranteed. */
    record Welcome(String user, String device, String session) implements ServerFrame {}

    /** The message with this {@code cid} is durably accepted under message id {@code id}. */
    record Ack(String cid, String id) implements ServerFrame {}

    /**
     * A delivered message.
     *
     * @param seq the recipient's gap-free sequence number for this message (1, 2, 3, …)
     * @param ts epoch milliseconds at which the gateway accepted the message
     */
    record Msg(String id, long seq, String from, String to, long ts, RawJson body) implements ServerFrame {}

    /**
     * A request could not be served.
     *
     * @param cid the {@code cid} of the frame in error, or {@code null} when it is not known
     */
    record Error(String cid, ErrorCode code, String message) implements ServerFrame {}

    /** The answer to a client's {@link ClientFrame.Ping}. */
    record Pong() implements ServerFrame {}
}
