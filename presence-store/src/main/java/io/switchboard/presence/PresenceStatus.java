package io.switchboard.presence;

/**
 * A user's announced presence: the state the change events have told (or are telling) the world.
 * It differs from "has a live session" only during the grace after the last session left, when the
 * user is still announced online and a reconnect cancels the offline.
 *
 * @param online the announced status
 * @param at epoch milliseconds of the latest transition; 0 for a user never seen (or forgotten,
 *     30 days after going offline)
 * @param lastSeen epoch milliseconds at which a session of the user was last known live; 0 if never
 * @param version the user's transition count; 0 for a user never seen
 */
public record PresenceStatus(String user, boolean online, long at, long lastSeen, long version) {

    public static PresenceStatus unknown(String user) {
        return new PresenceStatus(user, false, 0, 0, 0);
    }
}
