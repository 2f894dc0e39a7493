package io.switchboard.gateway.session;

/**
 * Key-value pairs the gateway adds to log events about one session or one message (SLF4J's
 * {@code addKeyValue}). With structured logging ({@code LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs}) they
 * become JSON fields, so a log search finds every line about a session or a message across nodes
 * and services. Tokens and message bodies are never logged, as fields or in text.
 *
 * <p>Plain camelCase names: a dotted name is nested by the ECS format, and {@code message.id} would
 * collide with the log line's own {@code message} (the event is then dropped).
 */
public final class LogKeys {

    /** The session id the client got in its {@code welcome}. */
    public static final String SESSION_ID = "sessionId";

    /** A message id (the {@code id} of {@code ack} and {@code msg}). */
    public static final String MESSAGE_ID = "messageId";

    /** The gateway node holding the session. */
    public static final String NODE_ID = "nodeId";

    private LogKeys() {}
}
