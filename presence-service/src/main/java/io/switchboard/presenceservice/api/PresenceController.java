package io.switchboard.presenceservice.api;

import io.switchboard.presence.LiveSession;
import io.switchboard.presence.PresenceStore;
import io.switchboard.presence.UserPresence;
import io.switchboard.presenceservice.config.PresenceProperties;
import io.switchboard.protocol.Ids;
import java.util.LinkedHashSet;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebInputException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Who is online, and where: {@code GET /api/v1/presence/{userId}} and
 * {@code POST /api/v1/presence/query}. The answer is presence as it is now (a closed session is gone
 * at once; a silent one or one of a dead node within its detection time), not the debounced
 * announcements of the change events. Contract: {@code docs/openapi/presence.yaml}, served at
 * {@code /openapi/presence.yaml}.
 */
@RestController
@RequestMapping("/api/v1/presence")
class PresenceController {

    /** One live session, as the API shows it. */
    record SessionView(String device, String node, long since) {}

    /** A user's presence; {@code lastSeen} is null for a user never seen. */
    record PresenceView(String user, boolean online, Long lastSeen, List<SessionView> sessions) {}

    record QueryRequest(List<String> users) {}

    record QueryResponse(List<PresenceView> users) {}

    /** The body of every 4xx answer: branch on {@code code}. */
    record ApiError(String code, String message) {}

    static final class BadRequest extends RuntimeException {
        final String code;

        BadRequest(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    private static final int QUERY_CONCURRENCY = 64;

    private final PresenceStore store;
    private final int maxQueryUsers;

    PresenceController(PresenceStore store, PresenceProperties properties) {
        this.store = store;
        this.maxQueryUsers = properties.presence().maxQueryUsers();
    }

    @GetMapping("/{userId}")
    Mono<PresenceView> presence(@PathVariable String userId) {
        if (!Ids.isValidUserId(userId)) {
            return Mono.error(new BadRequest("bad_user_id", "not a valid user id"));
        }
        return store.presenceOf(userId).map(PresenceController::view);
    }

    @PostMapping("/query")
    Mono<QueryResponse> query(@RequestBody QueryRequest request) {
        if (request == null || request.users() == null) {
            return Mono.error(new BadRequest("bad_request", "the body must be {\"users\":[...]}"));
        }
        if (request.users().size() > maxQueryUsers) {
            return Mono.error(new BadRequest("too_many_users", "at most " + maxQueryUsers + " users per query"));
        }
        for (String user : request.users()) {
            if (!Ids.isValidUserId(user)) {
                return Mono.error(new BadRequest("bad_user_id", "'users' holds an invalid user id"));
            }
        }
        return Flux.fromIterable(new LinkedHashSet<>(request.users()))
                .flatMapSequential(store::presenceOf, QUERY_CONCURRENCY)
                .map(PresenceController::view)
                .collectList()
                .map(QueryResponse::new);
    }

    private static PresenceView view(UserPresence p) {
        return new PresenceView(
                p.user(),
                p.online(),
                p.lastSeen() > 0 ? p.lastSeen() : null,
                p.sessions().stream().map(PresenceController::view).toList());
    }

    private static SessionView view(LiveSession s) {
        return new SessionView(
                s.session().device(), s.session().nodeId(), s.session().connectedAt());
    }

    @ExceptionHandler(BadRequest.class)
    ResponseEntity<ApiError> badRequest(BadRequest e) {
        return ResponseEntity.status(HttpStatus.BAD_REQUEST).body(new ApiError(e.code, e.getMessage()));
    }

    @ExceptionHandler(ServerWebInputException.class)
    ResponseEntity<ApiError> unreadable(ServerWebInputException e) {
        return ResponseEntity.status(HttpStatus.BAD_REQUEST)
                .body(new ApiError("bad_request", "the body must be {\"users\":[...]}"));
    }
}
