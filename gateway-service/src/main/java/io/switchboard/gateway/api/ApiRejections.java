package io.switchboard.gateway.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.gateway.delivery.GatewayMeters;
import io.switchboard.protocol.Json;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Answers an HTTP API call that a filter refuses before it reaches an endpoint: the same
 * {@link ApiError} body as every other refusal, counted in {@code switchboard.api.rejected} by code.
 */
public final class ApiRejections {

    private final MeterRegistry meters;

    public ApiRejections(MeterRegistry meters) {
        this.meters = meters;
    }

    public Mono<Void> reject(ServerWebExchange exchange, HttpStatus status, String code, String message) {
        meters.counter(GatewayMeters.API_REJECTED.meterName(), "reason", code).increment();
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        if (status == HttpStatus.UNAUTHORIZED) {
            response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        byte[] body = Json.MAPPER.writeValueAsBytes(new ApiError(code, message));
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }
}
