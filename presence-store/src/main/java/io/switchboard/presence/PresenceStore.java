package io.switchboard.presence;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Which users have live sessions, on which gateway node and device: what gateways write and every
 * service reads. The sweeps and change events behind it are {@link PresenceKeeper}'s.
 *
 * <p>Guarantees, for every implementation:
 *
 * <ul>
 *   <li>A session is live from the moment {@link #register} completes until {@link #unregister},
 *       until its time to live runs out without a {@link #refresh}, or until its node's lease
 *       lapses without a {@link #renewLease}. Once {@code register} has completed, every later read
 *       sees the session (read-your-writes across nodes), which is what lets a gateway promise
 *       deliveries from its {@code welcome} frame on. Reads never show a session whose deadline or
 *       node lease has passed, whether or not a sweep has removed it yet.
 *   <li>Expiry is judged by one clock (the store's), never by the caller's wall clock.
 *   <li>{@link #unregister} removes only the session with that session id: a newer session of the
 *       same user and device is untouched.
 *   <li>A user's transitions (first session live → online; last session gone and none back within
 *       the grace → offline) are decided atomically with the write that causes them, exactly once
 *       each, and queued for publication ({@link PresenceKeeper#claimEvents}).
 *   <li>All methods are non-blocking.
 * </ul>
 */
public interface PresenceStore {

    /** Records {@code session} as live for {@code ttl}; its user comes online if it was not. */
    Mono<Void> register(PresenceSession session, Duration ttl);

    /**
     * Extends the life of each session to {@code ttl} from now and records when its client was last
     * heard from, in as few round trips as the store allows (one per few hundred sessions). A
     * session that already expired or was removed is not brought back: it is returned instead, so
     * that the caller can {@link #register} it again if its connection is still open.
     */
    Mono<List<PresenceSession>> refresh(Collection<SessionBeat> beats, Duration ttl);

    /** Removes {@code session} because its socket closed; removing one already gone is not an error. */
    default Mono<Void> unregister(PresenceSession session) {
        return unregister(session, OfflineCause.CLOSED);
    }

    /** Removes {@code session} for {@code cause}; removing one already gone is not an error. */
    Mono<Void> unregister(PresenceSession session, OfflineCause cause);

    /**
     * Extends node {@code nodeId}'s lease to {@code lease} from now. While the lease has lapsed, its
     * sessions are not live; once a sweep took them away they stay away (the node registers them
     * again). Emits whether the lease was still live.
     */
    Mono<Boolean> renewLease(String nodeId, Duration lease);

    /** Gives up the lease of a node that stops cleanly, after its sessions were unregistered. */
    Mono<Void> releaseLease(String nodeId);

    /** The user's live sessions, oldest first; empty when the user is offline. */
    Mono<List<PresenceSession>> sessionsOf(String userId);

    /**
     * The live sessions of each user, as {@link #sessionsOf} would give them, in as few round trips as
     * the store allows; every user asked for is a key of the result (an offline user maps to an
     * empty list).
     */
    default Mono<Map<String, List<PresenceSession>>> sessionsOf(Collection<String> userIds) {
        return Flux.fromIterable(new LinkedHashSet<>(userIds))
                .concatMap(user -> sessionsOf(user).map(sessions -> Map.entry(user, sessions)))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    /** The user's live sessions and last-seen time. */
    Mono<UserPresence> presenceOf(String userId);

    /** The announced status of each user, in the order given. */
    Mono<List<PresenceStatus>> statusOf(List<String> userIds);
}
