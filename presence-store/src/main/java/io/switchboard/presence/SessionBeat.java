package io.switchboard.presence;

/**
 * A live session in a gateway's periodic refresh.
 *
 * @param session the session
 * @param silentMillis how long ago the gateway last heard from the client; the store records
 *     {@code now - silentMillis} (by its own clock) as the session's last-seen time
 */
public record SessionBeat(PresenceSession session, long silentMillis) {}
