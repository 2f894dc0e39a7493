package io.switchboard.presenceservice;

/** The meters presence-service publishes; names are part of the operations contract (docs/presence.md). */
public enum PresenceMeters {
    /** Gauge: users announced online. */
    USERS_ONLINE("switchboard.presence.users.online"),
    /** Gauge: sessions registered per gateway node, tag {@code node}. */
    NODE_SESSIONS("switchboard.presence.node.sessions"),
    /** Gauge: nodes whose lease lapsed and whose sessions are still being removed. */
    LAPSED_NODES("switchboard.presence.nodes.lapsed"),
    /** Counter: sweep steps (atomic Redis calls). */
    SWEEPS("switchboard.presence.sweeps"),
    /** Timer: duration of one sweep step, round trip included: the sweep's cost. */
    SWEEP_DURATION("switchboard.presence.sweep.duration"),
    /** Timer: how long after its deadline the most overdue entry of a sweep step was handled. */
    SWEEP_LAG("switchboard.presence.sweep.lag"),
    /** Counter: sessions removed by the sweep, tag {@code cause} ({@code timeout}, {@code node-lost}). */
    EVICTIONS("switchboard.presence.evictions"),
    /** Counter: users announced offline, tag {@code cause} ({@code closed}, {@code timeout}, {@code node-lost}). */
    DETECTIONS("switchboard.presence.detections"),
    /**
     * Timer: from the user's last sign of life to the moment presence counted it offline (the
     * event's {@code at - lastSeen}), tag {@code cause}.
     */
    DETECTION_DELAY("switchboard.presence.detection.delay"),
    /** Counter: change events published to Kafka, tag {@code status}. */
    EVENTS_PUBLISHED("switchboard.presence.events.published"),
    /** Counter: Kafka topics of gateway nodes gone longer than the retention, deleted. */
    NODE_TOPICS_DELETED("switchboard.presence.node.topics.deleted");

    private final String meterName;

    PresenceMeters(String meterName) {
        this.meterName = meterName;
    }

    public String meterName() {
        return meterName;
    }
}
