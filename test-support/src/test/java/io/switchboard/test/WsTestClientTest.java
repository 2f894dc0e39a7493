package io.switchboard.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/** Runs the client against a Reactor Netty WebSocket server in this JVM. */
class WsTestClientTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static DisposableServer server;

    @BeforeAll
    static void startServer() {
        server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .handle(WsTestClientTest::route)
                .bindNow();
    }

    @AfterAll
    static void stopServer() {
        server.disposeNow();
    }

    /** Refuses a request without a bearer token with 401, as the gateway does. */
    private static Publisher<Void> route(HttpServerRequest request, HttpServerResponse response) {
        String authorization = request.requestHeaders().get("Authorization");
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return response.status(HttpResponseStatus.UNAUTHORIZED).send();
        }
        return switch (request.fullPath()) {
            case "/echo" -> response.sendWebsocket(WsTestClientTest::echo);
            case "/close" ->
                response.sendWebsocket((in, out) ->
                        out.sendString(Mono.just("bye soon")).then().then(out.sendClose(4000, "idle")));
            case "/ping" -> response.sendWebsocket(WsTestClientTest::pingAndReport);
            default -> response.status(HttpResponseStatus.NOT_FOUND).send();
        };
    }

    private static Publisher<Void> echo(WebsocketInbound in, WebsocketOutbound out) {
        return out.sendString(in.receive().asString().map(text -> "echo:" + text));
    }

    /**
     * Sends a ping, then reports as text frames what the client sent back: "pong", or "silence" if
     * nothing came within a second. Never cancels its inbound, which would close the connection.
     */
    private static Publisher<Void> pingAndReport(WebsocketInbound in, WebsocketOutbound out) {
        AtomicBoolean answered = new AtomicBoolean();
        Flux<String> answers = in.receiveFrames()
                .doOnNext(frame -> answered.set(true))
                .map(frame -> frame instanceof PongWebSocketFrame ? "pong" : "other:" + frame);
        Mono<String> silence = Mono.delay(Duration.ofSeconds(1))
                .filter(tick -> !answered.get())
                .map(tick -> "silence");
        return out.sendObject(Mono.just(new PingWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1}))))
                .then()
                .thenMany(out.sendString(Flux.merge(answers, silence)));
    }

    private static URI uri(String path) {
        return URI.create("ws://127.0.0.1:" + server.port() + path);
    }

    @Test
    void recordsEveryTextFrameInOrderAndWaitsPastEarlierMatches() {
        try (WsTestClient.Connection c = WsTestClient.connect(uri("/echo"), "t")) {
            for (int i = 0; i < 5; i++) {
                c.send("m" + i);
            }

            assertThat(c.awaitFrame(f -> f.startsWith("echo:"), WAIT)).isEqualTo("echo:m0");
            assertThat(c.awaitFrames(f -> f.startsWith("echo:"), 3, WAIT))
                    .containsExactly("echo:m1", "echo:m2", "echo:m3");
            assertThat(c.awaitFrame(f -> f.startsWith("echo:"), WAIT)).isEqualTo("echo:m4");
            assertThat(c.received()).containsExactly("echo:m0", "echo:m1", "echo:m2", "echo:m3", "echo:m4");
            assertThat(c.isOpen()).isTrue();
            assertThat(c.closeStatus()).isEmpty();
        }
    }

    @Test
    void aFrameThatNeverComesFailsTheWaitAndSaysWhatDidCome() {
        try (WsTestClient.Connection c = WsTestClient.connect(uri("/echo"), "t")) {
            c.send("hello");
            assertThatThrownBy(() -> c.awaitFrame(f -> f.contains("never"), Duration.ofMillis(300)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("echo:hello");
        }
    }

    @Test
    void reportsTheServersCloseCode() {
        try (WsTestClient.Connection c = WsTestClient.connect(uri("/close"), "t")) {
            assertThat(c.awaitClosed(WAIT)).isEqualTo(4000);
            assertThat(c.closeStatus()).contains(4000);
            assertThat(c.isOpen()).isFalse();
            assertThat(c.received()).containsExactly("bye soon");
            assertThatThrownBy(() -> c.send("too late")).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void answersPingsByDefault() {
        try (WsTestClient.Connection c = WsTestClient.connect(uri("/ping"), "t")) {
            assertThat(c.awaitFrame(f -> true, WAIT)).isEqualTo("pong");
        }
    }

    @Test
    void aSilentClientIgnoresPings() {
        WsTestClient.Options silent = WsTestClient.Options.defaults().answerPings(false);
        try (WsTestClient.Connection c = WsTestClient.connect(uri("/ping"), "t", silent)) {
            assertThat(c.awaitFrame(f -> true, WAIT)).isEqualTo("silence");
        }
    }

    @Test
    void closingSends1000() {
        WsTestClient.Connection c = WsTestClient.connect(uri("/echo"), "t");
        c.close();
        assertThat(c.isOpen()).isFalse();
        assertThat(c.closeStatus()).contains(1000);
    }

    @Test
    void upgradeStatusTellsAcceptedFromRefused() {
        assertThat(WsTestClient.upgradeStatus(uri("/echo"), "t")).isEqualTo(101);
        assertThat(WsTestClient.upgradeStatus(uri("/echo"), null)).isEqualTo(401);
        assertThat(WsTestClient.upgradeStatus(uri("/nowhere"), "t")).isEqualTo(404);
    }

    @Test
    void aRefusedUpgradeFailsTheConnect() {
        assertThatThrownBy(() -> WsTestClient.connect(uri("/echo"), null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("401");
    }
}
