package io.switchboard.presence;

import java.util.List;

/**
 * What a query answers about one user, now.
 *
 * @param online whether at least one session is live
 * @param lastSeen epoch milliseconds at which the user was last heard from: the latest of the live
 *     sessions' last-seen times, or when the last session left; 0 if never seen
 * @param sessions the live sessions, oldest first
 */
public record UserPresence(String user, boolean online, long lastSeen, List<LiveSession> sessions) {}
