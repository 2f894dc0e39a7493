package io.switchboard.gateway.delivery;

/** The meters gateway-service publishes; names are part of the operations contract (docs/operations.md). */
public enum GatewayMeters {
    /** Gauge: open WebSocket sessions on this node. */
    SESSIONS_OPEN("switchboard.sessions.open"),
    /** Counter: sessions closed, tag {@code reason} (client, heartbeat_timeout, slow_consumer, error, shutdown). */
    SESSIONS_CLOSED("switchboard.sessions.closed"),
    /** Counter: upgrades refused before a session existed, tag {@code reason} (the HTTP error code). */
    HANDSHAKES_REJECTED("switchboard.handshakes.rejected"),
    /** Counter: messages durably accepted (acknowledged by Kafka) and {@code ack}ed to the sender. */
    MESSAGES_ACCEPTED("switchboard.messages.accepted"),
    /** Counter: {@code msg} frames queued to a session on this node. */
    MESSAGES_DELIVERED("switchboard.messages.delivered"),
    /** Counter: {@code msg} frames queued from the inbox (replay on connect, catch-up, {@code sync}). */
    MESSAGES_REPLAYED("switchboard.messages.replayed"),
    /** Counter: messages announced to a device as a {@code gap} (dropped by retention or cap before it got them). */
    GAP_MESSAGES("switchboard.messages.gap"),
    /** Counter: {@code send}s repeated with a known {@code cid}, acknowledged with the original message id. */
    SENDS_DEDUPLICATED("switchboard.sends.deduplicated"),
    /** Counter: copies dropped because the session already had that seq (redelivery after a crash). */
    DUPLICATES_DROPPED("switchboard.messages.duplicates.dropped"),
    /** Counter: error frames sent, tag {@code code}. */
    ERRORS_SENT("switchboard.frames.errors"),
    /** Counter: HTTP API calls refused before they reached an endpoint, tag {@code reason} (the error code). */
    API_REJECTED("switchboard.api.rejected"),
    /** Counter: copies of {@code POST /api/v1/messages} written to Kafka, tag {@code outcome} (accepted, failed). */
    PUBLISHED_COPIES("switchboard.publish.copies"),
    /** Counter: {@code broadcast} frames queued to sessions on this node. */
    BROADCASTS_DELIVERED("switchboard.broadcasts.delivered"),
    /** Counter: {@code broadcast} frames skipped for a session whose outbound queue was more than half full. */
    BROADCASTS_SKIPPED("switchboard.broadcasts.skipped"),
    /** Timer: from the accepting gateway's timestamp to the {@code msg} being queued for the recipient. */
    DELIVERY_LATENCY("switchboard.delivery.latency");

    private final String meterName;

    GatewayMeters(String meterName) {
        this.meterName = meterName;
    }

    public String meterName() {
        return meterName;
    }
}
