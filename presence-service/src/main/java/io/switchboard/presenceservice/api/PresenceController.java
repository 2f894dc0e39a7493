package io.switchboard.presenceservice.api;

import io.switchboard.presence.PresenceSession;
import io.switchboard.presence.PresenceStore;
import io.switchboard.protocol.Ids;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/** {@code GET /api/v1/presence/{userId}}: is the user online, and where. */
@RestController
@RequestMapping("/api/v1/presence")
class PresenceController {

    /** One live session, as the API shows it. */
    record SessionView(String device, String node, long since) {}

    /** A user's presence. */
    record PresenceView(String user, boolean online, List<SessionView> sessions) {}

    private final PresenceStore store;

    PresenceController(PresenceStore store) {
        this.store = store;
    }

    @GetMapping("/{userId}")
    Mono<PresenceView> presence(@PathVariable String userId) {
        if (!Ids.isValidUserId(userId)) {
            return Mono.error(new ResponseStatusException(HttpStatus.BAD_REQUEST, "bad_user_id"));
        }
        return store.sessionsOf(userId)
                .map(sessions -> new PresenceView(
                        userId,
                        !sessions.isEmpty(),
                        sessions.stream().map(PresenceController::view).toList()));
    }

    private static SessionView view(PresenceSession s) {
        return new SessionView(s.device(), s.nodeId(), s.connectedAt());
    }
}
