package io.switchboard.gateway.session;

import io.switchboard.protocol.frame.ServerFrame;

/** What a session's outbound queue holds: protocol frames and WebSocket pings. */
public sealed interface Outbound {

    record Frame(ServerFrame frame) implements Outbound {}

    enum Ping implements Outbound {
        INSTANCE
    }
}
