package io.switchboard.test;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;

/**
 * A WebSocket client for tests, on Reactor Netty. It records every text frame the server sends, in
 * arrival order, so tests can wait for a frame and assert the order of all of them. On Netty threads
 * it only appends to a list and completes futures: it never blocks an event loop.
 */
public final class WsTestClient {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(10);
    private static final int MAX_FRAME_BYTES = 4 << 20;

    /** RFC 6455: a normal closure, the code {@link Connection#close()} sends. */
    public static final int NORMAL_CLOSURE = 1000;

    /** RFC 6455: the server's close frame carried no status code. */
    public static final int NO_STATUS_RECEIVED = 1005;

    /** RFC 6455: the connection ended without a close frame from the server. */
    public static final int ABNORMAL_CLOSURE = 1006;

    private WsTestClient() {}

    /**
     * @param answerPings whether WebSocket pings are answered with pongs, as browsers do; {@code false}
     *     makes a silent client that sends nothing at all unless the test does (pings are dropped)
     */
    public record Options(boolean answerPings) {

        public static Options defaults() {
            return new Options(true);
        }

        public Options answerPings(boolean answer) {
            return new Options(answer);
        }
    }

    /**
     * Opens a session with {@code bearerToken} (if not null) in the Authorization header; query
     * parameters are part of {@code uri}.
     *
     * @throws IllegalStateException if the upgrade is refused or does not complete within 15 s
     */
    public static Connection connect(URI uri, String bearerToken) {
        return connect(uri, bearerToken, Options.defaults());
    }

    /** As {@link #connect(URI, String)}, with {@code options}. */
    public static Connection connect(URI uri, String bearerToken, Options options) {
        Connection connection = new Connection();
        connection.disposable = client(bearerToken)
                .websocket(WebsocketClientSpec.builder()
                        // handlePing(true) hands pings to us instead of answering them; we drop them
                        .handlePing(!options.answerPings())
                        .maxFramePayloadLength(MAX_FRAME_BYTES)
                        .build())
                .uri(uri)
                .handle((in, out) -> {
                    // sees the server's close frame before Reactor Netty consumes it
                    in.withConnection(c -> c.addHandlerLast("switchboard-close-observer", connection.closeObserver()));
                    connection.opened.complete(null);
                    Sinks.One<Boolean> inboundDone = Sinks.one();
                    Mono<Void> reading = in.aggregateFrames(MAX_FRAME_BYTES)
                            .receiveFrames()
                            .doOnNext(frame -> {
                                if (frame instanceof TextWebSocketFrame text) {
                                    connection.received.add(text.text());
                                }
                            })
                            .then()
                            .doFinally(signal -> inboundDone.tryEmitValue(true));
                    Mono<Void> writing = out.sendObject(
                                    connection.outgoing.asFlux().takeUntilOther(inboundDone.asMono()))
                            .then()
                            .then(out.sendClose(NORMAL_CLOSURE, "bye"));
                    return Mono.when(reading, writing);
                })
                .doFinally(signal -> {
                    connection.closeStatus.complete(ABNORMAL_CLOSURE);
                    connection.closed.complete(null);
                })
                .subscribe(null, connection.opened::completeExceptionally);
        try {
            connection.opened.get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            connection.close();
            throw new IllegalStateException("WebSocket upgrade to " + uri + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            connection.close();
            throw new IllegalStateException("WebSocket upgrade to " + uri + " did not complete in " + CONNECT_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connection.close();
            throw new IllegalStateException("interrupted while connecting to " + uri, e);
        }
        return connection;
    }

    /**
     * Tries the upgrade and returns the HTTP status: 101 when accepted (the session is then closed at
     * once), else the status the server refused it with (e.g. 401).
     */
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

    /**
     * One connection per session, outside any pool: the shared pool allows 500 connections per
     * address, and a WebSocket holds its connection for its whole life.
     */
    private static HttpClient client(String bearerToken) {
        return HttpClient.newConnection().headers(h -> {
            if (bearerToken != null) {
                h.add("Authorization", "Bearer " + bearerToken);
            }
        });
    }

    /** One session. Thread-safe. */
    public static final class Connection implements AutoCloseable {

        private final List<String> received = new CopyOnWriteArrayList<>();
        private final Sinks.Many<WebSocketFrame> outgoing =
                Sinks.many().unicast().onBackpressureBuffer();
        private final CompletableFuture<Void> opened = new CompletableFuture<>();
        private final CompletableFuture<Void> closed = new CompletableFuture<>();
        private final CompletableFuture<Integer> closeStatus = new CompletableFuture<>();
        private volatile Disposable disposable;
        private int cursor;

        private Connection() {}

        /**
         * Sends a text frame.
         *
         * @throws IllegalStateException once the session is closing or closed
         */
        public void send(String text) {
            emit(List.of(new TextWebSocketFrame(text)));
        }

        /**
         * Sends one text message in fragments, one frame per part: a text frame that is not final,
         * then continuation frames, the last one final.
         *
         * @throws IllegalStateException once the session is closing or closed
         */
        public void sendFragmented(String... parts) {
            List<WebSocketFrame> frames = new ArrayList<>(parts.length);
            for (int i = 0; i < parts.length; i++) {
                boolean last = i == parts.length - 1;
                frames.add(
                        i == 0
                                ? new TextWebSocketFrame(last, 0, parts[i])
                                : new ContinuationWebSocketFrame(last, 0, parts[i]));
            }
            emit(frames);
        }

        private void emit(List<WebSocketFrame> frames) {
            synchronized (outgoing) { // a unicast sink takes one emitter at a time
                for (WebSocketFrame frame : frames) {
                    Sinks.EmitResult result = outgoing.tryEmitNext(frame);
                    if (result.isFailure()) {
                        frame.release();
                        throw new IllegalStateException("cannot send on a closed WebSocket (" + result + ")");
                    }
                }
            }
        }

        /** Every text frame received so far, in arrival order (a snapshot). */
        public List<String> received() {
            return List.copyOf(received);
        }

        /**
         * Waits for the first frame after the previous {@code awaitFrame(s)} match that satisfies
         * {@code match}, and returns it; later calls start after it. {@link #received()} still holds
         * every frame.
         *
         * @throws AssertionError if none arrives within {@code timeout}, listing what did
         */
        public String awaitFrame(Predicate<String> match, Duration timeout) {
            return awaitFrames(match, 1, timeout).get(0);
        }

        /**
         * Waits until {@code count} frames satisfying {@code match} have arrived after the previous
         * match, and returns them in arrival order; later calls start after the last of them.
         *
         * @throws AssertionError if fewer arrive within {@code timeout}, listing what did
         */
        public synchronized List<String> awaitFrames(Predicate<String> match, int count, Duration timeout) {
            List<String> found = new ArrayList<>();
            int[] scanned = {cursor};
            try {
                Awaitility.await()
                        .atMost(timeout)
                        .pollInSameThread()
                        .pollDelay(Duration.ZERO)
                        .pollInterval(POLL_INTERVAL)
                        .until(() -> {
                            for (; scanned[0] < received.size() && found.size() < count; scanned[0]++) {
                                if (match.test(received.get(scanned[0]))) {
                                    found.add(received.get(scanned[0]));
                                }
                            }
                            return found.size() == count;
                        });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError(
                        found.size() + " of " + count + " matching frames within " + timeout + "; received "
                                + received(),
                        e);
            }
            cursor = scanned[0];
            return found;
        }

        /** Open from a completed upgrade until the connection ends. */
        public boolean isOpen() {
            return opened.isDone() && !opened.isCompletedExceptionally() && !closed.isDone();
        }

        /**
         * Once the connection has ended, the status code of the server's close frame: {@value
         * #NO_STATUS_RECEIVED} for a close frame without one, {@value #ABNORMAL_CLOSURE} if there was
         * none, {@value #NORMAL_CLOSURE} if {@link #close()} ended it first.
         */
        public Optional<Integer> closeStatus() {
            return closed.isDone() ? Optional.of(closeStatus.join()) : Optional.empty();
        }

        /**
         * Waits until the server has closed the connection (or it dropped) and returns {@link
         * #closeStatus()}.
         *
         * @throws AssertionError if it is still open after {@code timeout}
         */
        public int awaitClosed(Duration timeout) {
            try {
                closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return closeStatus.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException | TimeoutException e) {
                throw new AssertionError("connection not closed within " + timeout, e);
            }
        }

        /**
         * Closes with 1000 and waits until the connection is gone (at most 5 s, then drops it). Unless
         * the server closed first, {@link #closeStatus()} is then 1000: Reactor Netty does not wait for
         * the server's answering close frame.
         */
        @Override
        public void close() {
            closeStatus.complete(NORMAL_CLOSURE);
            synchronized (outgoing) {
                outgoing.tryEmitComplete();
            }
            try {
                closed.get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                dispose();
            } catch (ExecutionException | TimeoutException e) {
                dispose();
            }
        }

        private void dispose() {
            Disposable d = disposable;
            if (d != null) {
                d.dispose();
            }
        }

        private ChannelInboundHandlerAdapter closeObserver() {
            return new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    if (msg instanceof CloseWebSocketFrame frame) {
                        int code = frame.statusCode();
                        closeStatus.complete(code == -1 ? NO_STATUS_RECEIVED : code);
                    }
                    ctx.fireChannelRead(msg);
                }
            };
        }
    }
}
