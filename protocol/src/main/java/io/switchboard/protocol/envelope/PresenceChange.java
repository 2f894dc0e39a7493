package io.switchboard.protocol.envelope;

/**
 * One announced presence transition of a user, as published on {@link Topics#PRESENCE} (keyed by
 * user). Each transition is decided once, atomically, in Redis; {@code version} counts the user's
 * transitions (1, 2, 3, …), so a reader that sees a version it already has (a republished record)
 * or an older one (records read out of order) ignores it.
 *
 * @param user the user whose presence changed
 * @param online the new status
 * @param at epoch milliseconds (Redis clock) at which the user came online, or at which the last
 *     session was found gone: closed, timed out or lost with its node
 * @param cause {@code connected} for online; {@code closed}, {@code timeout} or {@code node-lost}
 *     for offline
 * @param lastSeen epoch milliseconds at which the user was last heard from
 * @param version the user's transition count, increasing by one per transition
 */
public record PresenceChange(String user, boolean online, long at, String cause, long lastSeen, long version) {

    public static final String CONNECTED = "connected";
    public static final String CLOSED = "closed";
    public static final String TIMEOUT = "timeout";
    public static final String NODE_LOST = "node-lost";
}
