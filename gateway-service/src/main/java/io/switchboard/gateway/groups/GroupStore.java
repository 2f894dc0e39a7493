package io.switchboard.gateway.groups;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * Groups and their members.
 *
 * <p>Guarantees, for every implementation:
 *
 * <ul>
 *   <li>Every change is atomic: a create or add that would exceed the maximum group size changes
 *       nothing; of two concurrent creates of one id, exactly one succeeds.
 *   <li>A member belongs to a group until removed or the group is deleted; groups do not expire.
 *   <li>A read sees every change that completed before it started.
 * </ul>
 */
public interface GroupStore {

    /** Creates {@code group} with {@code members} (may be empty). */
    Mono<Change> create(String group, Collection<String> members);

    /** Deletes {@code group} and its membership; false when there was no such group. */
    Mono<Boolean> delete(String group);

    /** Adds {@code users} to {@code group}; all or none. {@link Change#size()} is the new member count. */
    Mono<Change> add(String group, Collection<String> users);

    /** Removes {@code user} from {@code group}; removing a non-member is not an error. */
    Mono<Change> remove(String group, String user);

    /** The members of {@code group}, sorted; empty when there is no such group. */
    Mono<Optional<List<String>>> members(String group);

    /** What a change did. */
    enum Outcome {
        DONE,
        EXISTS,
        NO_SUCH_GROUP,
        TOO_MANY_MEMBERS
    }

    /** @param size the member count after the change, when known (else -1) */
    record Change(Outcome outcome, int size) {
        static Change of(Outcome outcome) {
            return new Change(outcome, -1);
        }
    }
}
