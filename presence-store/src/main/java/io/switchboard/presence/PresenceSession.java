package io.switchboard.presence;

/**
 * One live connection of a user, as presence knows it.
 *
 * @param userId the authenticated user
 * @param device the device name the client gave (default {@code default})
 * @param sessionId unique per connection, never reused
 * @param nodeId the gateway node holding the connection
 * @param connectedAt epoch milliseconds at which the session was registered
 */
public record PresenceSession(String userId, String device, String sessionId, String nodeId, long connectedAt) {}
