package io.switchboard.gateway.session;

import org.springframework.web.reactive.socket.CloseStatus;

/** WebSocket close codes the gateway uses; documented in docs/protocol.md and never reused. */
public final class CloseCodes {

    /** No frame and no pong within {@code switchboard.heartbeat.timeout}. */
    public static final CloseStatus HEARTBEAT_TIMEOUT = new CloseStatus(4000, "heartbeat timeout");

    /** The session's outbound queue was full: the client reads slower than messages arrive. */
    public static final CloseStatus SLOW_CONSUMER = new CloseStatus(4008, "slow consumer");

    /**
     * The node went away without a drain. A gateway never sends it on its own (a stopping node
     * drains with {@link #SERVICE_RESTART}); the one-JVM suite does when it simulates a crashed node.
     */
    public static final CloseStatus GOING_AWAY = CloseStatus.GOING_AWAY;

    /**
     * The node is draining (rolling restart, scale-in): reconnect at once, the load balancer sends the
     * client to another node. The node closes its sessions with this one after another, spread over
     * {@code switchboard.drain.spread}, after their sends in flight were answered.
     */
    public static final CloseStatus SERVICE_RESTART = new CloseStatus(1012, "service restart");

    /**
     * A message beyond the transport limit (twice {@code max-frame-bytes}, at least 128 KiB). Netty's
     * decoder closes with it for a single frame; the gateway does for a message sent in fragments.
     */
    public static final CloseStatus MESSAGE_TOO_BIG = CloseStatus.TOO_BIG_TO_PROCESS;

    /** The session could not be registered (presence unavailable); reconnect later. */
    public static final CloseStatus TRY_AGAIN_LATER = new CloseStatus(1013, "try again later");

    private CloseCodes() {}
}
