package io.switchboard.gateway.delivery;

import io.switchboard.auth.ApiRejections;

/** The meters gateway-service publishes; names are part of the operations contract (docs/metrics.md). */
public enum GatewayMeters {
    /** Gauge: open WebSocket sessions on this node. */
    SESSIONS_OPEN("switchboard.sessions.open"),
    /** Counter: sessions closed, tag {@code reason} (client, heartbeat_timeout, slow_consumer, drain, unavailable, error, shutdown). */
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
    API_REJECTED(ApiRejections.METER),
    /** Counter: copies of {@code POST /api/v1/messages} written to Kafka, tag {@code outcome} (accepted, failed). */
    PUBLISHED_COPIES("switchboard.publish.copies"),
    /** Counter: {@code broadcast} frames queued to sessions on this node. */
    BROADCASTS_DELIVERED("switchboard.broadcasts.delivered"),
    /** Counter: {@code broadcast} frames skipped for a session whose outbound queue was more than half full. */
    BROADCASTS_SKIPPED("switchboard.broadcasts.skipped"),
    /**
     * Timer with histogram: end-to-end latency, from the accepting gateway's timestamp (the envelope's
     * {@code ts}) to the live {@code msg} being queued for the recipient's session on this node.
     */
    DELIVERY_LATENCY("switchboard.delivery.latency"),
    /** Counter: sessions opened (welcomed: registered in presence). */
    SESSIONS_OPENED("switchboard.sessions.opened"),
    /** Counter: text frames received, tag {@code type} (the frame type, or {@code invalid}). */
    FRAMES_IN("switchboard.frames.in"),
    /** Counter: frames written to clients, tag {@code type} (the frame type; {@code ping} for WebSocket pings). */
    FRAMES_OUT("switchboard.frames.out"),
    /** Gauge: frames waiting in the outbound queues of all sessions on this node. */
    OUTBOUND_QUEUED("switchboard.sessions.outbound.queued"),
    /** Gauge: the fullest outbound queue on this node, in frames (a session is closed at the bound). */
    OUTBOUND_QUEUED_MAX("switchboard.sessions.outbound.queued.max"),
    /** Counter: times this node found its own topic deleted and created it again ({@link NodeTopicKeeper}). */
    NODE_TOPIC_RECREATED("switchboard.node.topic.recreated"),
    /** Gauge: 1 while this node drains (between SIGTERM and its last session closing), else 0. */
    DRAINING("switchboard.drain.active"),
    /** Timer: how long the node's last drain took, from SIGTERM until every session was closed. */
    DRAIN_DURATION("switchboard.drain.duration");

    private final String meterName;

    GatewayMeters(String meterName) {
        this.meterName = meterName;
    }

    public String meterName() {
        return meterName;
    }
}
