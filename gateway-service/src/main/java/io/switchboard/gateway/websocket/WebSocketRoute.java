package io.switchboard.gateway.websocket;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.switchboard.gateway.auth.HandshakeAuthenticator;
import io.switchboard.gateway.auth.HandshakeAuthenticator.Rejection;
import org.reactivestreams.Publisher;
import org.springframework.boot.reactor.netty.NettyRouteProvider;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * Serves {@code /ws} on Reactor Netty directly, ahead of the Spring WebFlux handler that serves
 * everything else: authenticates the upgrade ({@link HandshakeAuthenticator}), answers a refusal
 * with its status and JSON body, or upgrades and hands the connection to the
 * {@link GatewayWebSocketHandler} with only the user, device and resume point of the handshake.
 *
 * <p>Why not through WebFlux: its upgrade keeps the whole exchange (request and response adapters,
 * attributes, handshake info, session wrapper) for as long as the connection is open, which was a
 * third of an idle session's heap (see docs/adr/0003-websocket-on-reactor-netty.md).
 */
public final class WebSocketRoute implements NettyRouteProvider {

    private final HandshakeAuthenticator authenticator;
    private final GatewayWebSocketHandler handler;
    private final WebsocketServerSpec spec;

    public WebSocketRoute(HandshakeAuthenticator authenticator, GatewayWebSocketHandler handler) {
        this.authenticator = authenticator;
        this.handler = handler;
        // Frames beyond the transport limit are cut by Netty itself (1009); below it, oversized
        // frames get an error frame instead.
        this.spec = WebsocketServerSpec.builder()
                .maxFramePayloadLength(handler.transportFrameLimit())
                .build();
    }

    @Override
    public HttpServerRoutes apply(HttpServerRoutes routes) {
        return routes.route(request -> HandshakeAuthenticator.isHandshakePath(request.uri()), this::serve);
    }

    private Publisher<Void> serve(HttpServerRequest request, HttpServerResponse response) {
        HandshakeAuthenticator.Result result = authenticator.authenticate(request.uri(), request.requestHeaders());
        if (result.rejection() != null) {
            return refuse(response, result.rejection());
        }
        // What WebFlux's handshake checked after the authentication, with the same statuses.
        if (!HttpMethod.GET.equals(request.method())) {
            return response.status(HttpResponseStatus.METHOD_NOT_ALLOWED)
                    .header(HttpHeaderNames.ALLOW, "GET")
                    .send();
        }
        if (!isUpgrade(request.requestHeaders())) {
            return response.status(HttpResponseStatus.BAD_REQUEST).send();
        }
        var principal = result.principal();
        return response.sendWebsocket(
                (in, out) -> {
                    // The upgrade is done and nothing reads the request's headers again; as Netty
                    // decoded them (names and values as separate objects) they would cost every
                    // connection about 1.4 KiB of heap for its lifetime.
                    in.headers().clear();
                    return handler.handle(in, out, principal);
                },
                spec);
    }

    private static boolean isUpgrade(HttpHeaders headers) {
        return headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                && headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                && headers.contains(HttpHeaderNames.SEC_WEBSOCKET_KEY);
    }

    private static Publisher<Void> refuse(HttpServerResponse response, Rejection rejection) {
        byte[] body = rejection.body();
        response.status(rejection.status())
                .header(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.length));
        if (rejection.status().equals(HttpResponseStatus.UNAUTHORIZED)) {
            response.header(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
        }
        if (rejection.status().equals(HttpResponseStatus.SERVICE_UNAVAILABLE)) {
            response.header(HttpHeaderNames.RETRY_AFTER, "1");
        }
        return response.send(Mono.just(Unpooled.wrappedBuffer(body))).then();
    }
}
