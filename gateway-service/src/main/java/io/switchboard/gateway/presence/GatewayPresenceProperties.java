package io.switchboard.gateway.presence;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The gateway's presence settings, {@code switchboard.presence.*}.
 *
 * @param nodeLease how long this node's presence lease lasts without renewal; it is renewed every
 *     third of it. When a node dies, its sessions are offline within this plus the sweep interval.
 *     Default 15s ({@code SWITCHBOARD_PRESENCE_NODE_LEASE})
 * @param maxSubscriptions users one session may watch with {@code presence.subscribe}; default 1000
 */
@ConfigurationProperties("switchboard.presence")
public record GatewayPresenceProperties(Duration nodeLease, int maxSubscriptions) {

    public GatewayPresenceProperties {
        nodeLease = nodeLease == null ? Duration.ofSeconds(15) : nodeLease;
        maxSubscriptions = maxSubscriptions <= 0 ? 1000 : maxSubscriptions;
        if (nodeLease.toMillis() < 300) {
            throw new IllegalArgumentException("switchboard.presence.node-lease must be at least 300ms");
        }
    }
}
