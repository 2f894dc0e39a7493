package io.switchboard.test;

import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;

/**
 * A WebSocket client for tests, on Reactor Netty. It records every text frame the server sends, so
 * tests can wait for a frame and assert the order of all of them. Nothing runs on the caller's
 * behalf on Netty threads but appending to a list.
 */
public final class WsTestClient {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);

    private WsTestClient() {}

    /**
     * @param answerPings whether WebSocket pings are answered (as browsers do); {@code false} makes a
     *     silent client, one that sends nothing at all unless the test does
     */
    public record Options(boolean answerPings) {

        public static Options defaults() {
            return new Options(true);
        }

        public Options answerPings(boolean answer) {
            return new Options(answer);
        }
    }

    /** Opens a session with {@code bearerToken} in the Authorization header; fails if the upgrade fails. */
    public static Connection connect(URI uri, String bearerToken) {
        return connect(uri, bearerToken, Options.defaults());
    }

    public static Connection connect(URI uri, String bearerToken, Options options) {
        Connection connection = new Connection();
        connection.disposable = client(bearerToken)
                .websocket(WebsocketClientSpec.builder()
                        .handlePing(!options.answerPings())
                        .maxFramePayloadLength(4 << 20)
                        .build())
                .uri(uri)
                .handle((in, out) -> {
                    connection.opened.complete(null);
                    in.receiveCloseStatus().subscribe(status -> connection.closeStatus.complete(status.code()));
                    Mono<Void> reading = in.aggregateFrames(4 << 20)
                            .receiveFrames()
                            .doOnNext(frame -> {
                                if (frame instanceof TextWebSocketFrame text) {
                                    connection.received.add(text.text());
                                } else if (frame instanceof CloseWebSocketFrame close) {
                                    connection.closeStatus.complete(close.statusCode());
                                }
                            })
                            .then();
                    Mono<Void> writing =
                            out.sendString(connection.outgoing.asFlux()).then().then(out.sendClose(1000, "bye"));
                    return Mono.when(reading, writing);
                })
                .doFinally(signal -> {
                    connection.closed.complete(null);
                    connection.closeStatus.complete(-1);
                })
                .subscribe(null, connection.opened::completeExceptionally);
        try {
            connection.opened.get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            connection.close();
            throw new IllegalStateException("WebSocket upgrade to " + uri + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            connection.close();
            throw new IllegalStateException("WebSocket upgrade to " + uri + " did not complete", e);
        }
        return connection;
    }

    /** The HTTP status of an upgrade attempt: 101 when accepted (then closed at once), else the error status. */
    public static int upgradeStatus(URI uri, String bearerTokenOrNull) {
        try {
            client(bearerTokenOrNull)
                    .websocket()
                    .uri(uri)
                    .handle((in, out) -> out.sendClose())
                    .then()
                    .block(CONNECT_TIMEOUT);
            return 101;
        } catch (RuntimeException e) {
            Throwable cause = e;
            while (cause != null && !(cause instanceof WebSocketClientHandshakeException)) {
                cause = cause.getCause();
            }
            if (cause instanceof WebSocketClientHandshakeException handshake && handshake.response() != null) {
                return handshake.response().status().code();
            }
            throw e;
        }
    }

    private static HttpClient client(String bearerToken) {
        return HttpClient.create().headers(h -> {
            if (bearerToken != null) {
                h.add("Authorization", "Bearer " + bearerToken);
            }
        });
    }

    /** One open session. Thread-safe. */
    public static final class Connection implements AutoCloseable {

        private final List<String> received = new CopyOnWriteArrayList<>();
        private final Sinks.Many<String> outgoing = Sinks.many().unicast().onBackpressureBuffer();
        private final CompletableFuture<Void> opened = new CompletableFuture<>();
        private final CompletableFuture<Void> closed = new CompletableFuture<>();
        private final CompletableFuture<Integer> closeStatus = new CompletableFuture<>();
        private volatile Disposable disposable;
        private int cursor;

        private Connection() {}

        /** Sends a text frame. */
        public synchronized void send(String text) {
            Sinks.EmitResult result = outgoing.tryEmitNext(text);
            if (result.isFailure()) {
                throw new IllegalStateException("cannot send: " + result);
            }
        }

        /** Every text frame received so far, in arrival order. */
        public List<String> received() {
            return List.copyOf(received);
        }

        /**
         * Waits for the first frame after the previous match that satisfies {@code match}, and returns
         * it; frames before it are skipped by later calls.
         */
        public synchronized String awaitFrame(Predicate<String> match, Duration timeout) {
            String[] found = new String[1];
            Awaitility.await()
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> {
                        List<String> all = received;
                        for (int i = cursor; i < all.size(); i++) {
                            if (match.test(all.get(i))) {
                                found[0] = all.get(i);
                                cursor = i + 1;
                                return true;
                            }
                        }
                        return false;
                    });
            return found[0];
        }

        public boolean isOpen() {
            return opened.isDone() && !opened.isCompletedExceptionally() && !closed.isDone();
        }

        /** Waits until the server closes the connection and returns the close code (-1 if none was sent). */
        public int awaitClosed(Duration timeout) {
            try {
                return closeStatus.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException | TimeoutException e) {
                throw new AssertionError("connection not closed within " + timeout, e);
            }
        }

        /** Closes with 1000 and waits (bounded) until the connection is gone. */
        @Override
        public void close() {
            synchronized (this) {
                outgoing.tryEmitComplete();
            }
            try {
                closed.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                Disposable d = disposable;
                if (d != null) {
                    d.dispose();
                }
            }
        }
    }
}
