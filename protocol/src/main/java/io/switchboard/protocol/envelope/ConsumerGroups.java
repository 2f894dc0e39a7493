package io.switchboard.protocol.envelope;

import java.util.List;

/**
 * The Kafka consumer groups of one gateway node. Each is read only by that node, from the latest
 * offset, and deleted with the node's topic once the node is gone for good (presence-service's
 * reaper): the names live here so the gateway that creates them and the reaper that deletes them
 * cannot drift apart.
 */
public final class ConsumerGroups {

    private ConsumerGroups() {}

    /** Reads the node's own topic ({@link Topics#node}). */
    public static String gatewayNode(String nodeId) {
        return "gateway-" + nodeId;
    }

    /** Reads {@link Topics#PRESENCE} for the node's presence subscriptions. */
    public static String gatewayPresence(String nodeId) {
        return "gateway-presence-" + nodeId;
    }

    /** Reads {@link Topics#BROADCAST} for the node's sessions. */
    public static String gatewayBroadcast(String nodeId) {
        return "gateway-broadcast-" + nodeId;
    }

    /**
     * Read by nobody: the node writes a new value into this group's offset metadata every minute, so
     * that presence-service's reaper can tell a node that runs without a presence lease (cut off
     * from Redis) from one that is gone.
     */
    public static String gatewayAlive(String nodeId) {
        return "gateway-alive-" + nodeId;
    }

    /** Every group a gateway node creates. */
    public static List<String> ofGatewayNode(String nodeId) {
        return List.of(gatewayNode(nodeId), gatewayPresence(nodeId), gatewayBroadcast(nodeId), gatewayAlive(nodeId));
    }
}
