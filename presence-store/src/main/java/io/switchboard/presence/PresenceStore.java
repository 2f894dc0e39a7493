package io.switchboard.presence;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Which users have live sessions, on which gateway node and device.
 *
 * <p>Guarantees, for every implementation:
 *
 * <ul>
 *   <li>A session is live from the moment {@link #register} completes until {@link #unregister} or
 *       until its time to live runs out without a {@link #refresh}. Once {@code register} has
 *       completed, every later {@link #sessionsOf} sees the session (read-your-writes across
 *       nodes), which is what lets a gateway promise deliveries from its {@code welcome} frame on.
 *   <li>Expiry is judged by one clock (the store's), never by the caller's wall clock.
 *   <li>{@link #unregister} removes only the session with that session id: a newer session of the
 *       same user and device is untouched.
 *   <li>All methods are non-blocking.
 * </ul>
 */
public interface PresenceStore {

    /** Records {@code session} as live for {@code ttl}. */
    Mono<Void> register(PresenceSession session, Duration ttl);

    /**
     * Extends the life of each of {@code sessions} to {@code ttl} from now, in as few round trips as
     * the store allows. A session that already expired or was unregistered is not brought back.
     */
    Mono<Void> refresh(Collection<PresenceSession> sessions, Duration ttl);

    /** Removes {@code session}; removing one that is already gone is not an error. */
    Mono<Void> unregister(PresenceSession session);

    /** The user's live sessions, oldest first; empty when the user is offline. */
    Mono<List<PresenceSession>> sessionsOf(String userId);
}
