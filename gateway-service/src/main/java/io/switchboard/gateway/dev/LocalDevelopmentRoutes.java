package io.switchboard.gateway.dev;

import io.switchboard.presence.PresenceStore;
import io.switchboard.protocol.Ids;
import io.switchboard.protocol.Json;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The local-mode HTTP endpoints of a gateway node:
 *
 * <ul>
 *   <li>{@code POST /dev/token} {@code {"user":"alice"}} → {@code {"token","user","expiresAt","node"}}:
 *       a development token (1 hour) for any valid user id, and this node's id; 400 {@code bad_user}
 *       otherwise.
 *   <li>{@code GET /dev/presence?users=a,b} → {@code [{"user":"a","online":true,"sessions":1},…]}: at
 *       most {@value #MAX_PRESENCE_USERS} users, read from the presence store this node writes to.
 *       The console polls it when the server has no presence frames.
 *   <li>{@code GET /console/} and its files: the agent console.
 * </ul>
 */
final class LocalDevelopmentRoutes {

    static final int MAX_PRESENCE_USERS = 100;
    static final String CONSOLE = "/console/";

    /** One user's presence as {@code /dev/presence} shows it. */
    record UserPresence(String user, boolean online, int sessions) {}

    /** The answer of {@code POST /dev/token}. */
    record TokenAnswer(String token, String user, long expiresAt, String node) {
        @Override
        public String toString() {
            return "TokenAnswer[user=" + user + ", expiresAt=" + expiresAt + ", node=" + node + "]"; // never the token
        }
    }

    /** An error body, shaped like the gateway's handshake errors. */
    record Problem(String code, String message) {}

    private final DevTokenIssuer issuer;
    private final PresenceStore presence;
    private final ConsoleAssets console;
    private final String nodeId;

    LocalDevelopmentRoutes(DevTokenIssuer issuer, PresenceStore presence, ConsoleAssets console, String nodeId) {
        this.issuer = issuer;
        this.presence = presence;
        this.console = console;
        this.nodeId = nodeId;
    }

    RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route()
                .POST("/dev/token", this::token)
                .GET("/dev/presence", this::presence)
                .GET(
                        "/console",
                        request -> ServerResponse.permanentRedirect(URI.create(CONSOLE))
                                .build())
                .GET(CONSOLE + "**", this::console)
                .build();
    }

    private Mono<ServerResponse> token(ServerRequest request) {
        return request.bodyToMono(String.class).defaultIfEmpty("").flatMap(body -> {
            String user = userOf(body);
            if (!Ids.isValidUserId(user)) {
                return badRequest("bad_user", "send {\"user\":\"<1-128 of A-Z a-z 0-9 . _ - @ :>\"}");
            }
            DevTokenIssuer.IssuedToken issued = issuer.issue(user);
            return ServerResponse.ok()
                    .cacheControl(CacheControl.noStore())
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(new TokenAnswer(issued.token(), issued.user(), issued.expiresAt(), nodeId));
        });
    }

    private static String userOf(String body) {
        try {
            JsonNode root = Json.MAPPER.readTree(body);
            JsonNode user = root == null ? null : root.get("user");
            return user != null && user.isString() ? user.asString() : null;
        } catch (JacksonException e) {
            return null;
        }
    }

    private Mono<ServerResponse> presence(ServerRequest request) {
        List<String> users = request.queryParam("users").stream()
                .flatMap(value -> Arrays.stream(value.split(",")))
                .map(String::trim)
                .filter(user -> !user.isEmpty())
                .distinct()
                .toList();
        if (users.isEmpty()
                || users.size() > MAX_PRESENCE_USERS
                || !users.stream().allMatch(Ids::isValidUserId)) {
            return badRequest("bad_user", "users=a,b,… with 1-" + MAX_PRESENCE_USERS + " valid user ids");
        }
        return Flux.fromIterable(users)
                .flatMapSequential(
                        user -> presence.sessionsOf(user)
                                .map(sessions -> new UserPresence(user, !sessions.isEmpty(), sessions.size())),
                        8)
                .collectList()
                .flatMap(list -> ServerResponse.ok()
                        .cacheControl(CacheControl.noStore())
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(list));
    }

    private Mono<ServerResponse> console(ServerRequest request) {
        String path = request.path().substring(CONSOLE.length());
        return console.find(path)
                .map(asset -> ServerResponse.ok()
                        .contentType(asset.type())
                        // Local development: always the files of the running build.
                        .cacheControl(CacheControl.noCache())
                        .header("X-Content-Type-Options", "nosniff")
                        .bodyValue(asset.bytes()))
                .orElseGet(() -> ServerResponse.notFound().build());
    }

    private static Mono<ServerResponse> badRequest(String code, String message) {
        return ServerResponse.status(HttpStatus.BAD_REQUEST)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(new Problem(code, message));
    }
}
