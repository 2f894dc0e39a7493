package io.switchboard.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.lang.Nullable;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import reactor.core.publisher.Mono;

/**
 * Lets only services call a service's HTTP API ({@code /api/...}): the request must carry
 * {@code Authorization: Bearer <credential>}, where the credential is one of the configured API keys
 * (compared in constant time) or a JWT signed with the shared secret whose {@code role} claim is
 * {@code service}. No credential or an invalid one: 401 {@code unauthorized}; a valid user token:
 * 403 {@code service_credential_required}. Credentials are never logged. Other paths (health,
 * metrics, the WebSocket, the API contract) pass untouched.
 */
public final class ServiceAuthenticator implements WebFilter, Ordered {

    /** How a refused call is answered: each service writes its own error body and counts it its own way. */
    @FunctionalInterface
    public interface Rejection {
        Mono<Void> reject(ServerWebExchange exchange, HttpStatus status, String code, String message);
    }

    /**
     * The API's paths, matched as the router matches them: on each segment decoded and without its
     * {@code ;parameters}. A test of the raw path would let {@code /%61pi/...} or {@code /api;x/...}
     * past this filter to the same endpoints.
     */
    private static final PathPattern API_PATHS = PathPatternParser.defaultInstance.parse("/api/**");

    private static final Logger log = LoggerFactory.getLogger(ServiceAuthenticator.class);
    private static final String BEARER = "Bearer ";

    private final List<byte[]> keys;
    private final TokenVerifier verifier;
    private final Rejection rejection;

    /**
     * @param keys the API keys accepted (validated with {@link ApiKeys#of}); may be empty
     * @param verifier verifies service tokens; null when the service has no JWT secret and accepts
     *     API keys only
     * @param rejection answers a refused call
     */
    public ServiceAuthenticator(List<String> keys, @Nullable TokenVerifier verifier, Rejection rejection) {
        this.keys = keys.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
        this.verifier = verifier;
        this.rejection = rejection;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 10;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!isApiCall(exchange)) {
            return chain.filter(exchange);
        }
        String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return rejection.reject(
                    exchange, HttpStatus.UNAUTHORIZED, "unauthorized", "a service credential is required");
        }
        String credential = header.substring(BEARER.length()).trim();
        if (isKey(credential)) {
            return chain.filter(exchange);
        }
        if (verifier == null) {
            return rejection.reject(exchange, HttpStatus.UNAUTHORIZED, "unauthorized", "the credential is invalid");
        }
        TokenVerifier.Verified token;
        try {
            token = verifier.verifyToken(credential);
        } catch (InvalidTokenException e) {
            log.debug("refused API call: {}", e.getMessage());
            return rejection.reject(
                    exchange, HttpStatus.UNAUTHORIZED, "unauthorized", "the credential is invalid or expired");
        }
        if (!token.service()) {
            return rejection.reject(
                    exchange,
                    HttpStatus.FORBIDDEN,
                    "service_credential_required",
                    "user tokens may not call this API; use an API key or a service token");
        }
        return chain.filter(exchange);
    }

    /** Whether the request goes to the HTTP API (the paths this filter guards), however it is spelled. */
    public static boolean isApiCall(ServerWebExchange exchange) {
        return API_PATHS.matches(exchange.getRequest().getPath().pathWithinApplication());
    }

    /** Compares against every key, each in constant time, so timing tells nothing about any of them. */
    private boolean isKey(String credential) {
        byte[] given = credential.getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (byte[] key : keys) {
            match |= MessageDigest.isEqual(key, given);
        }
        return match;
    }
}
