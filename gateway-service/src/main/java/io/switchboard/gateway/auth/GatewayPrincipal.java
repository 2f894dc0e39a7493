package io.switchboard.gateway.auth;

import java.security.Principal;

/**
 * Who a WebSocket session belongs to, as established at the upgrade: the authenticated user, the
 * device the client named, and where the client asked to resume. All that a session keeps of its
 * handshake (the request itself is not kept).
 *
 * @param after the seq the client asked to resume after ({@code after} query parameter), or
 *     {@link #NO_RESUME_POINT} to resume after the device's stored cursor
 */
public record GatewayPrincipal(String user, String device, long after) implements Principal {

    public static final long NO_RESUME_POINT = -1;

    @Override
    public String getName() {
        return user;
    }
}
