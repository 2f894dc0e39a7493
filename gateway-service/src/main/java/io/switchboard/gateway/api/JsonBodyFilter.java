package io.switchboard.gateway.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.auth.ApiRejections;
import io.switchboard.auth.ServiceAuthenticator;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Refuses an HTTP API call ({@code /api/...}) whose body is declared as something other than JSON:
 * 415 {@code unsupported_media_type}, before the body is read. {@code application/json} and
 * {@code application/*+json} pass, with any parameters ({@code charset=utf-8}); so does a request
 * with no {@code Content-Type} at all, whose body the endpoints read as JSON. Runs after
 * {@link ServiceAuthenticator}, so an unauthenticated caller learns nothing about the endpoint.
 */
public final class JsonBodyFilter implements WebFilter, Ordered {

    private final ApiRejections rejections;

    public JsonBodyFilter(MeterRegistry meters) {
        this.rejections = new ApiRejections(meters);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 20;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        var request = exchange.getRequest();
        HttpMethod method = request.getMethod();
        boolean withBody = method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH;
        if (!withBody || !ServiceAuthenticator.isApiCall(exchange)) {
            return chain.filter(exchange);
        }
        String declared = request.getHeaders().getFirst(HttpHeaders.CONTENT_TYPE);
        if (declared == null || declared.isBlank() || isJson(declared)) {
            return chain.filter(exchange);
        }
        return rejections.reject(
                exchange,
                HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the request as application/json");
    }

    private static boolean isJson(String declared) {
        try {
            MediaType type = MediaType.parseMediaType(declared); // type and subtype come lower-cased
            return type.getType().equals("application")
                    && (type.getSubtype().equals("json") || type.getSubtype().endsWith("+json"));
        } catch (InvalidMediaTypeException e) {
            return false;
        }
    }
}
