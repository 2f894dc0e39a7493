package io.switchboard.protocol.frame;

import io.switchboard.protocol.RawJson;
import java.util.List;

/** A frame a client sends to the gateway (protocol v1). */
public sealed interface ClientFrame {

    /**
     * Starts watching the presence of {@code users}: answered at once with one
     * {@link ServerFrame.Presence} per user, then one more on each of their changes.
     */
    record PresenceSubscribe(List<String> users) implements ClientFrame {}

    /** Stops watching {@code users}; users not watched are ignored. Nothing is answered. */
    record PresenceUnsubscribe(List<String> users) implements ClientFrame {}

    /**
     * A direct message. The sender is always the authenticated user of the session, never a field of
     * the frame.
     *
     * @param cid the client's id for this send, echoed in the {@code ack} and used for idempotency
     * @param to the recipient's user id
     * @param body any JSON value, carried unchanged
     */
    record Send(String cid, String to, RawJson body) implements ClientFrame {}

    /** An application-level heartbeat, answered with {@link ServerFrame.Pong}. */
    record Ping() implements ClientFrame {}

    /**
     * The device has every message of its user up to {@code seq}: its delivery cursor may move there.
     * Nothing is answered.
     */
    record Recv(long seq) implements ClientFrame {}

    /**
     * Asks for every stored message with a seq greater than {@code after}, answered by those
     * {@code msg} frames and then {@link ServerFrame.Synced}.
     */
    record Sync(long after) implements ClientFrame {}
}
