package io.switchboard.auth;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.protocol.Json;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Answers an HTTP API call that a filter refuses before it reaches an endpoint, on every service the
 * same way: the APIs' error body {@code {"code":…,"message":…}}, {@code WWW-Authenticate: Bearer} with
 * a 401, and one count in {@value #METER} tagged with the code as {@code reason}.
 */
public final class ApiRejections {

    /** Counter: calls refused before they reached an endpoint, tag {@code reason} (the error code). */
    public static final String METER = "switchboard.api.rejected";

    /** The APIs' error body; the services' own error records have the same two fields. */
    private record Error(String code, String message) {}

    private final MeterRegistry meters;

    public ApiRejections(MeterRegistry meters) {
        this.meters = meters;
    }

    public Mono<Void> reject(ServerWebExchange exchange, HttpStatus status, String code, String message) {
        meters.counter(METER, "reason", code).increment();
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        if (status == HttpStatus.UNAUTHORIZED) {
            response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        byte[] body = Json.MAPPER.writeValueAsBytes(new Error(code, message));
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }
}
