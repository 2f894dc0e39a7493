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

    /** Every group a gateway node creates. */
    public static List<String> ofGatewayNode(String nodeId) {
        return List.of(gatewayNode(nodeId), gatewayPresence(nodeId), gatewayBroadcast(nodeId));
    }
}
