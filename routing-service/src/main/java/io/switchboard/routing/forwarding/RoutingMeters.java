package io.switchboard.routing.forwarding;

/** The meters routing-service publishes; names are part of the operations contract. */
public enum RoutingMeters {
    /** Counter: copies forwarded to a gateway node (one per node holding the recipient). */
    MESSAGES_ROUTED("switchboard.messages.routed"),
    /** Counter: messages whose recipient had no live session; they stay stored for replay. */
    MESSAGES_NOT_CONNECTED("switchboard.routing.recipient.offline"),
    /** Counter: copies not forwarded because presence named a node whose topic does not exist. */
    UNKNOWN_NODE("switchboard.routing.node.unknown"),
    /** Timer: per batch, looking up where its recipients are connected (one presence call). */
    LOOKUP_DURATION("switchboard.routing.lookup.duration"),
    /** Timer: per batch, writing its copies to the node topics until Kafka acknowledged them all. */
    FORWARD_DURATION("switchboard.routing.forward.duration");

    private final String meterName;

    RoutingMeters(String meterName) {
        this.meterName = meterName;
    }

    public String meterName() {
        return meterName;
    }
}
