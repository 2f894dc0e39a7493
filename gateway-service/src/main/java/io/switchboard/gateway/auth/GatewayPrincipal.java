package io.switchboard.gateway.auth;

import java.security.Principal;

/**
 * Who a WebSocket session belongs to, as established at the upgrade: the authenticated user and the
 * device the client named.
 */
public record GatewayPrincipal(String user, String device) implements Principal {

    @Override
    public String getName() {
        return user;
    }
}
