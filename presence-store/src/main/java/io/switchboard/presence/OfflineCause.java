package io.switchboard.presence;

/** Why a session left presence; the cause of the user's offline when it was the last one. */
public enum OfflineCause {
    /** The socket was closed, by the client or the server (a 1001 on shutdown included). */
    CLOSED("closed"),
    /** Nothing heard from the client for the heartbeat timeout. */
    TIMEOUT("timeout"),
    /** The gateway node holding the session stopped renewing its lease (crashed, cut off). */
    NODE_LOST("node-lost");

    private final String wire;

    OfflineCause(String wire) {
        this.wire = wire;
    }

    /** As it appears in events and metrics. */
    public String wire() {
        return wire;
    }
}
