package io.switchboard.gateway.presence;

/** The presence meters of a gateway node; names are part of the operations contract. */
public enum GatewayPresenceMeters {
    /** Gauge: users watched by this node's sessions, counted once per session and user. */
    SUBSCRIPTIONS("switchboard.presence.subscriptions"),
    /** Counter: {@code presence} frames queued to sessions. */
    FRAMES_SENT("switchboard.presence.frames");

    private final String meterName;

    GatewayPresenceMeters(String meterName) {
        this.meterName = meterName;
    }

    public String meterName() {
        return meterName;
    }
}
