package io.switchboard.loadgen.client;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Opens many WebSocket sessions on its own Netty event loops (a few threads: the gateways being
 * measured share the machine). Each session's frames go to one {@link FrameListener}.
 */
public final class LoadClient implements AutoCloseable {

    private static final int MAX_FRAME_BYTES = 1 << 20;

    /** Where one session goes. {@code query} is appended to the gateway URI (e.g. {@code after=0}). */
    public record Target(String user, String device, int node, URI gateway, String query) {

        URI uri() {
            String q = "device=" + device + (query == null || query.isEmpty() ? "" : "&" + query);
            return URI.create(gateway + (gateway.getQuery() == null ? "?" : "&") + q);
        }
    }

    /** How a batch of connects went. */
    public record ConnectResult(List<LoadConnection> connections, int failed, double seconds, String firstError) {

        public double perSecond() {
            return seconds <= 0 ? 0 : connections.size() / seconds;
        }
    }

    private final Tokens tokens;
    private final LoopResources loops;
    private final HttpClient http;

    /** @param threads event-loop threads for all sessions */
    public LoadClient(Tokens tokens, int threads) {
        this.tokens = tokens;
        this.loops = LoopResources.create("loadgen", threads, true);
        this.http = HttpClient.create(ConnectionProvider.newConnection())
                .runOn(loops)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 15_000);
    }

    /**
     * Opens a session per target, at most {@code concurrency} handshakes at a time, and waits until
     * each got its {@code welcome} or failed. The calling thread waits; it must not be an event loop.
     */
    public ConnectResult connect(List<Target> targets, int concurrency, Duration timeout, FrameListener listener) {
        Semaphore permits = new Semaphore(concurrency);
        List<LoadConnection> all = new ArrayList<>(targets.size());
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        AtomicLong failures = new AtomicLong();
        String[] firstError = {null};
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get(i);
            try {
                if (!permits.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            LoadConnection c = open(i, t, listener);
            c.welcome().whenComplete((welcome, error) -> {
                if (error != null) {
                    failures.incrementAndGet();
                    synchronized (firstError) {
                        if (firstError[0] == null) {
                            firstError[0] = String.valueOf(error.getCause() != null ? error.getCause() : error);
                        }
                    }
                }
                permits.release();
            });
            all.add(c);
        }
        List<LoadConnection> open = new ArrayList<>(all.size());
        for (LoadConnection c : all) {
            try {
                c.welcome().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                open.add(c);
            } catch (Exception e) {
                c.close();
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        return new ConnectResult(open, targets.size() - open.size(), seconds, firstError[0]);
    }

    private LoadConnection open(int index, Target target, FrameListener listener) {
        LoadConnection c = new LoadConnection(index, target.user(), target.device(), target.node(), target.uri());
        String token = tokens.mint(target.user());
        http.headers(h -> h.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token))
                .websocket(WebsocketClientSpec.builder()
                        .maxFramePayloadLength(MAX_FRAME_BYTES)
                        .build())
                .uri(c.uri())
                .handle((in, out) -> {
                    in.withConnection(connection -> c.attach(connection.channel()));
                    in.receiveCloseStatus().subscribe(status -> c.closeCode(status.code()));
                    return in.aggregateFrames(MAX_FRAME_BYTES)
                            .receiveFrames()
                            .doOnNext(frame -> {
                                if (frame instanceof TextWebSocketFrame text) {
                                    dispatch(c, ByteBufUtil.getBytes(text.content()), listener);
                                }
                            })
                            .then();
                })
                .subscribe(
                        null,
                        error -> {
                            c.ended(error);
                            listener.onClosed(c, c.closeCode());
                        },
                        () -> {
                            c.ended(null);
                            listener.onClosed(c, c.closeCode());
                        });
        return c;
    }

    private static void dispatch(LoadConnection c, byte[] json, FrameListener listener) {
        IncomingFrame frame;
        try {
            frame = IncomingFrame.parse(json);
        } catch (IllegalArgumentException e) {
            frame = new IncomingFrame("unparsable", null, null, -1, null, null, null, -1, -1, -1, -1);
        }
        if ("welcome".equals(frame.type()) && !c.welcome().isDone()) {
            c.welcome().complete(frame);
            return;
        }
        listener.onFrame(c, frame);
    }

    /** Closes every connection given (normal close) and waits up to {@code timeout} for them to end. */
    public static void closeAll(List<LoadConnection> connections, Duration timeout) {
        connections.forEach(LoadConnection::close);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (LoadConnection c : connections) {
            try {
                c.closed().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                // still open after the timeout: the event loops are disposed with the client
            }
        }
    }

    @Override
    public void close() {
        loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
    }
}
