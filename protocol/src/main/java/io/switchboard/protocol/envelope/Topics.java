package io.switchboard.protocol.envelope;

import java.util.regex.Pattern;

/** The Kafka topics that connect the services; docs/architecture.md ("Kafka topics") describes each. */
public final class Topics {

    /** Accepted messages, keyed by recipient. Written by gateways, read by offline-service. */
    public static final String INBOUND = "switchboard.inbound";

    /** Stored and sequenced messages, keyed by recipient. Written by offline-service, read by routing-service. */
    public static final String SEQUENCED = "switchboard.sequenced";

    /**
     * Users' online/offline transitions ({@link PresenceChange}), keyed by user. Written by
     * presence-service, read by every gateway node (for subscriptions) and by any backend.
     */
    public static final String PRESENCE = "switchboard.presence";

    /**
     * Announcements ({@link BroadcastCodec}) for every session connected right now. Written by
     * whichever gateway accepted {@code POST /api/v1/broadcast}, read by every gateway node from the
     * latest offset; never stored for replay.
     */
    public static final String BROADCAST = "switchboard.broadcast";

    private static final String NODE_PREFIX = "switchboard.node.";

    /** Node ids become part of a topic name: Kafka's legal characters, bounded length. */
    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9._\\-]{1,200}");

    private Topics() {}

    /** The topic of one gateway node, read only by that node. Written by routing-service. */
    public static String node(String nodeId) {
        if (!isValidNodeId(nodeId)) {
            throw new IllegalArgumentException("invalid gateway node id: " + nodeId);
        }
        return NODE_PREFIX + nodeId;
    }

    public static boolean isValidNodeId(String nodeId) {
        return nodeId != null && NODE_ID.matcher(nodeId).matches();
    }

    /** The node id whose topic {@code topic} is, or null if it is not a node topic. */
    public static String nodeIdOf(String topic) {
        if (topic == null || !topic.startsWith(NODE_PREFIX)) {
            return null;
        }
        String nodeId = topic.substring(NODE_PREFIX.length());
        return isValidNodeId(nodeId) ? nodeId : null;
    }
}
