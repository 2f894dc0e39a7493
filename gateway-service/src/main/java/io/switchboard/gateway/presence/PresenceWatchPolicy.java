package io.switchboard.gateway.presence;

import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Who may watch whose presence. Define a bean of this type to replace the default, which lets any
 * authenticated user watch anyone ({@link #ANYONE}). Implementations must not block (they run on
 * the connection's event loop); a lookup elsewhere returns its answer as a Mono.
 */
@FunctionalInterface
public interface PresenceWatchPolicy {

    /** Every authenticated user may watch every user. */
    PresenceWatchPolicy ANYONE = (watcher, users) -> Mono.just(users);

    /** The subset of {@code users} that {@code watcher} may watch, in any order. */
    Mono<List<String>> permitted(String watcher, List<String> users);
}
