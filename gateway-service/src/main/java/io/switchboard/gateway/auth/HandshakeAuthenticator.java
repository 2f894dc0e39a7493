package io.switchboard.gateway.auth;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.gateway.delivery.GatewayMeters;
import io.switchboard.protocol.Ids;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Authenticates the WebSocket upgrade at {@code /ws} before it happens: a request without a valid
 * token gets HTTP 401 (a browser Origin not on the allow-list, 403; a bad device name, 400), each with
 * a JSON body {@code {"code":…,"message":…}}, and no session is created. On success the exchange's
 * principal is a {@link GatewayPrincipal}, which the WebSocket session inherits.
 */
public final class HandshakeAuthenticator implements WebFilter, Ordered {

    public static final String PATH = "/ws";
    public static final String DEFAULT_DEVICE = "default";

    private static final Logger log = LoggerFactory.getLogger(HandshakeAuthenticator.class);
    private static final String BEARER = "Bearer ";

    private final TokenVerifier verifier;
    private final List<String> allowedOrigins;
    private final MeterRegistry meters;
    private final BooleanSupplier draining;

    /** @param draining true once the node drains: upgrades are then refused with 503 {@code draining} */
    public HandshakeAuthenticator(
            TokenVerifier verifier, List<String> allowedOrigins, MeterRegistry meters, BooleanSupplier draining) {
        this.verifier = verifier;
        this.allowedOrigins = allowedOrigins;
        this.meters = meters;
        this.draining = draining;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 10;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!PATH.equals(exchange.getRequest().getPath().pathWithinApplication().value())) {
            return chain.filter(exchange);
        }
        if (draining.getAsBoolean()) {
            // Before anything else: a load balancer retries another node on 503.
            return reject(
                    exchange,
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "draining",
                    "this node is shutting down; connect to another");
        }
        String origin = exchange.getRequest().getHeaders().getOrigin();
        if (origin != null && !allowedOrigins.isEmpty() && !allowedOrigins.contains(origin)) {
            return reject(exchange, HttpStatus.FORBIDDEN, "origin_not_allowed", "this Origin may not connect");
        }
        String device = exchange.getRequest().getQueryParams().getFirst("device");
        if (device == null || device.isEmpty()) {
            device = DEFAULT_DEVICE;
        } else if (!Ids.isValidDevice(device)) {
            return reject(exchange, HttpStatus.BAD_REQUEST, "bad_device", "device must be 1-128 of [A-Za-z0-9._@:-]");
        }
        long after = GatewayPrincipal.NO_RESUME_POINT;
        String afterParam = exchange.getRequest().getQueryParams().getFirst("after");
        if (afterParam != null && !afterParam.isEmpty()) {
            after = parseSeq(afterParam);
            if (after < 0) {
                return reject(exchange, HttpStatus.BAD_REQUEST, "bad_after", "after must be a whole number >= 0");
            }
        }
        String token = tokenOf(exchange);
        if (token == null) {
            return reject(exchange, HttpStatus.UNAUTHORIZED, "unauthorized", "a bearer token is required");
        }
        TokenVerifier.Verified verified;
        try {
            verified = verifier.verifyToken(token);
        } catch (InvalidTokenException e) {
            log.debug("refused WebSocket upgrade: {}", e.getMessage());
            return reject(exchange, HttpStatus.UNAUTHORIZED, "invalid_token", "the token is invalid or expired");
        }
        if (verified.service()) {
            // A backend's credential is for the HTTP API; as a session it would act as a user named
            // like the service.
            return reject(
                    exchange,
                    HttpStatus.FORBIDDEN,
                    "user_token_required",
                    "a service credential cannot open a session");
        }
        GatewayPrincipal principal = new GatewayPrincipal(verified.subject(), device, after);
        return chain.filter(exchange.mutate().principal(Mono.just(principal)).build());
    }

    private static long parseSeq(String text) {
        if (text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(text);
    }

    private static String tokenOf(ServerWebExchange exchange) {
        String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return header.substring(BEARER.length()).trim();
        }
        String query = exchange.getRequest().getQueryParams().getFirst("access_token");
        return query == null || query.isBlank() ? null : query;
    }

    private Mono<Void> reject(ServerWebExchange exchange, HttpStatus status, String code, String message) {
        meters.counter(GatewayMeters.HANDSHAKES_REJECTED.meterName(), "reason", code)
                .increment();
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        if (status == HttpStatus.UNAUTHORIZED) {
            response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        if (status == HttpStatus.SERVICE_UNAVAILABLE) {
            response.getHeaders().set(HttpHeaders.RETRY_AFTER, "1");
        }
        byte[] body = ("{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
        DataBuffer buffer = response.bufferFactory().wrap(body);
        return response.writeWith(Mono.just(buffer));
    }
}
