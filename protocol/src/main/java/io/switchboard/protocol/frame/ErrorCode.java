package io.switchboard.protocol.frame;

/**
 * The stable codes of {@code error} frames. Clients branch on {@link #wire()}, so a code is never
 * renamed or reused; new codes may be added. {@code docs/protocol.md} lists them with their meaning.
 */
public enum ErrorCode {
    /** The frame is not valid JSON, or not a JSON object. */
    BAD_JSON("bad_json", false),
    /** The frame's {@code type} is missing or not one this server knows. */
    UNKNOWN_TYPE("unknown_type", false),
    /** A required field is missing or has the wrong JSON type. */
    MISSING_FIELD("missing_field", false),
    /** A field is present but its value is not allowed (for example a {@code cid} that is too long). */
    BAD_FIELD("bad_field", false),
    /** The recipient is not a valid user id. */
    BAD_RECIPIENT("bad_recipient", false),
    /** The text frame exceeds {@code switchboard.gateway.max-frame-bytes}. */
    FRAME_TOO_LARGE("frame_too_large", false),
    /** Binary frames are not part of protocol v1. */
    BINARY_UNSUPPORTED("binary_unsupported", false),
    /** A subscription would watch more users than a session may (1,000 by default); nothing changed. */
    TOO_MANY_SUBSCRIPTIONS("too_many_subscriptions", false),
    /** The watch policy does not let this user watch some of the users asked for. */
    FORBIDDEN("forbidden", false),
    /** The message could not be durably accepted (Kafka unavailable or overloaded); retry with the same cid. */
    UNAVAILABLE("unavailable", false),
    /** The node has too many group copies in flight ({@code switchboard.api.max-inflight-copies} or {@code -bytes}); retry later with the same cid. */
    RATE_LIMITED("rate_limited", false),
    /** The {@code cid} was already used by this user for a message to another recipient. */
    CID_CONFLICT("cid_conflict", false),
    /** A {@code send} to {@code group:<id>} from a user who is not a member (or no such group). */
    NOT_A_MEMBER("not_a_member", false),
    /** An unexpected server fault; the message was not accepted. */
    INTERNAL("internal", false);

    private final String wire;
    private final boolean fatal;

    ErrorCode(String wire, boolean fatal) {
        this.wire = wire;
        this.fatal = fatal;
    }

    /** The code as it appears in the frame's {@code code} field. */
    public String wire() {
        return wire;
    }

    /** Whether the server closes the session after sending this error. */
    public boolean fatal() {
        return fatal;
    }
}
