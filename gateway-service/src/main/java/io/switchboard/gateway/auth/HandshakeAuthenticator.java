package io.switchboard.gateway.auth;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.switchboard.auth.InvalidTokenException;
import io.switchboard.auth.TokenVerifier;
import io.switchboard.gateway.delivery.GatewayMeters;
import io.switchboard.protocol.Ids;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates a WebSocket upgrade request at {@code /ws} before it happens: a request without a
 * valid token is refused with HTTP 401 (a browser Origin not on the allow-list, 403; a bad device
 * name or resume point, 400; a draining node, 503), and no session is created. On success the
 * result is a {@link GatewayPrincipal}: user, device and resume point, all the session keeps of its
 * handshake. Non-blocking: the checks are pure CPU work (an HS256 verification at most).
 */
public final class HandshakeAuthenticator {

    public static final String PATH = "/ws";
    public static final String DEFAULT_DEVICE = "default";

    private static final Logger log = LoggerFactory.getLogger(HandshakeAuthenticator.class);
    private static final String BEARER = "Bearer ";
    /** Stands for a parameter value with a malformed {@code %} escape. */
    private static final String MALFORMED = "%";

    /** Why an upgrade was refused: the HTTP status and the JSON error body's code and message. */
    public record Rejection(HttpResponseStatus status, String code, String message) {

        /** The JSON body {@code {"code":…,"message":…}} (codes and messages are fixed ASCII texts). */
        public byte[] body() {
            return ("{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
        }
    }

    /** The outcome of one handshake: exactly one of the two is set. */
    public record Result(GatewayPrincipal principal, Rejection rejection) {}

    private final TokenVerifier verifier;
    private final List<String> allowedOrigins;
    private final MeterRegistry meters;
    private final BooleanSupplier draining;
    private final ToIntFunction<String> openSessions;
    private final int maxSessionsPerUser;

    /**
     * @param draining true once the node drains: upgrades are then refused with 503 {@code draining}
     * @param openSessions how many sessions a user has open on this node
     * @param maxSessionsPerUser at that many, a further upgrade of the user is refused with 429
     *     {@code too_many_sessions}
     */
    public HandshakeAuthenticator(
            TokenVerifier verifier,
            List<String> allowedOrigins,
            MeterRegistry meters,
            BooleanSupplier draining,
            ToIntFunction<String> openSessions,
            int maxSessionsPerUser) {
        this.verifier = verifier;
        this.allowedOrigins = allowedOrigins;
        this.meters = meters;
        this.draining = draining;
        this.openSessions = openSessions;
        this.maxSessionsPerUser = maxSessionsPerUser;
    }

    /**
     * Checks one request to {@link #PATH}, in a fixed order (the first failing check answers): draining,
     * Origin, device, resume point, token, the user's open sessions. A rejection is counted in
     * {@code switchboard.handshakes.rejected} by its code.
     *
     * @param uri the request's URI as sent (path and query string)
     */
    public Result authenticate(String uri, HttpHeaders headers) {
        if (draining.getAsBoolean()) {
            // Before anything else: a load balancer retries another node on 503.
            return reject(
                    HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "draining",
                    "this node is shutting down; connect to another");
        }
        String origin = headers.get(HttpHeaderNames.ORIGIN);
        if (origin != null && !allowedOrigins.isEmpty() && !allowedOrigins.contains(origin)) {
            return reject(HttpResponseStatus.FORBIDDEN, "origin_not_allowed", "this Origin may not connect");
        }
        String device = queryParamOrMalformed(uri, "device");
        if (device == null || device.isEmpty()) {
            device = DEFAULT_DEVICE;
        } else if (!Ids.isValidDevice(device)) {
            return reject(HttpResponseStatus.BAD_REQUEST, "bad_device", "device must be 1-128 of [A-Za-z0-9._@:-]");
        }
        long after = GatewayPrincipal.NO_RESUME_POINT;
        String afterParam = queryParamOrMalformed(uri, "after");
        if (afterParam != null && !afterParam.isEmpty()) {
            after = parseSeq(afterParam);
            if (after < 0) {
                return reject(HttpResponseStatus.BAD_REQUEST, "bad_after", "after must be a whole number >= 0");
            }
        }
        String token = tokenOf(uri, headers);
        if (token == null) {
            return reject(HttpResponseStatus.UNAUTHORIZED, "unauthorized", "a bearer token is required");
        }
        TokenVerifier.Verified verified;
        try {
            verified = verifier.verifyToken(token);
        } catch (InvalidTokenException e) {
            log.debug("refused WebSocket upgrade: {}", e.getMessage());
            return reject(HttpResponseStatus.UNAUTHORIZED, "invalid_token", "the token is invalid or expired");
        }
        if (verified.service()) {
            // A backend's credential is for the HTTP API; as a session it would act as a user named
            // like the service.
            return reject(
                    HttpResponseStatus.FORBIDDEN, "user_token_required", "a service credential cannot open a session");
        }
        // One valid token must not be able to fill a node: each session costs memory, a presence
        // entry and a copy of every message to the user. Checked against the sessions open now, so
        // upgrades racing each other may pass the limit by a few.
        if (openSessions.applyAsInt(verified.subject()) >= maxSessionsPerUser) {
            return reject(
                    HttpResponseStatus.TOO_MANY_REQUESTS,
                    "too_many_sessions",
                    "this user has too many sessions open on this node; close some first");
        }
        return new Result(new GatewayPrincipal(verified.subject(), device, after), null);
    }

    /** Whether {@code uri}'s path is exactly {@link #PATH} (any query string). */
    public static boolean isHandshakePath(String uri) {
        int end = uri.length();
        int query = uri.indexOf('?');
        if (query >= 0) {
            end = query;
        }
        int fragment = uri.indexOf('#');
        if (fragment >= 0 && fragment < end) {
            end = fragment;
        }
        return end == PATH.length() && uri.startsWith(PATH);
    }

    private static long parseSeq(String text) {
        if (text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(text);
    }

    private static String tokenOf(String uri, HttpHeaders headers) {
        String header = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return header.substring(BEARER.length()).trim();
        }
        String query = queryParamOrMalformed(uri, "access_token");
        return query == null || query.isBlank() ? null : query;
    }

    /**
     * The first value of a query parameter, URL-decoded as form data ({@code +} is a space): null when
     * absent or given without {@code =}, empty when given as {@code name=}.
     *
     * @throws IllegalArgumentException when the value holds a malformed {@code %} escape
     */
    static String queryParam(String uri, String name) {
        int start = uri.indexOf('?');
        if (start < 0) {
            return null;
        }
        int end = uri.indexOf('#', start);
        if (end < 0) {
            end = uri.length();
        }
        int pos = start + 1;
        while (pos < end) {
            int amp = uri.indexOf('&', pos);
            if (amp < 0 || amp > end) {
                amp = end;
            }
            int eq = uri.indexOf('=', pos);
            int nameEnd = eq >= 0 && eq < amp ? eq : amp;
            if (nameEnd > pos && decode(uri.substring(pos, nameEnd)).equals(name)) {
                return nameEnd == amp ? null : decode(uri.substring(nameEnd + 1, amp));
            }
            pos = amp + 1;
        }
        return null;
    }

    /**
     * {@link #queryParam}, or {@link #MALFORMED} when the value holds a malformed escape: no valid
     * device, resume point or token, so the check that reads it refuses it as that parameter.
     */
    private static String queryParamOrMalformed(String uri, String name) {
        try {
            return queryParam(uri, name);
        } catch (IllegalArgumentException e) {
            return MALFORMED;
        }
    }

    private static String decode(String text) {
        return text.indexOf('%') < 0 && text.indexOf('+') < 0 ? text : URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    private Result reject(HttpResponseStatus status, String code, String message) {
        meters.counter(GatewayMeters.HANDSHAKES_REJECTED.meterName(), "reason", code)
                .increment();
        return new Result(null, new Rejection(status, code, message));
    }
}
