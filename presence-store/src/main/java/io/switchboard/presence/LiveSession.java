package io.switchboard.presence;

/**
 * A live session as a query shows it.
 *
 * @param lastSeen epoch milliseconds (store clock) at which its client was last heard from, as of
 *     the gateway's latest refresh (at most one heartbeat interval old)
 */
public record LiveSession(PresenceSession session, long lastSeen) {}
