package io.switchboard.loadgen.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One WebSocket session of the load generator. Frames are written straight to the Netty channel from
 * any thread (Netty hands the write to the channel's event loop), so the sending schedule never
 * waits for the transport.
 */
public final class LoadConnection {

    /** RFC 6455: the connection ended without a close frame. */
    public static final int ABNORMAL_CLOSURE = 1006;

    private final int index;
    private final String user;
    private final String device;
    private final int node;
    private final URI uri;
    private final CompletableFuture<IncomingFrame> welcome = new CompletableFuture<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private volatile Channel channel;
    private volatile int closeCode = ABNORMAL_CLOSURE;

    // Written only on this connection's event loop.
    private long lastSeq;
    private long received;
    private long confirmedSeq;
    private int unconfirmed;
    private ScheduledFuture<?> confirmTimer;

    LoadConnection(int index, String user, String device, int node, URI uri) {
        this.index = index;
        this.user = user;
        this.device = device;
        this.node = node;
        this.uri = uri;
    }

    public int index() {
        return index;
    }

    public String user() {
        return user;
    }

    public String device() {
        return device;
    }

    /** Index of the gateway node (in the list of targets) this connection is on. */
    public int node() {
        return node;
    }

    public URI uri() {
        return uri;
    }

    /** Completes with the {@code welcome} frame; fails if the upgrade fails or the session ends first. */
    public CompletableFuture<IncomingFrame> welcome() {
        return welcome;
    }

    /** Completes with the close code once the connection has ended. */
    public CompletableFuture<Integer> closed() {
        return closed;
    }

    public boolean isOpen() {
        Channel c = channel;
        return c != null && c.isActive() && welcome.isDone() && !welcome.isCompletedExceptionally();
    }

    /** Sends a text frame; returns false (and sends nothing) if the connection is not open. */
    public boolean send(String text) {
        Channel c = channel;
        if (c == null || !c.isActive()) {
            return false;
        }
        ByteBuf utf8 = ByteBufUtil.writeUtf8(c.alloc(), text);
        c.writeAndFlush(new TextWebSocketFrame(utf8), c.voidPromise());
        return true;
    }

    /** Sends a normal close (1000) and drops the connection once it is written. */
    public void close() {
        Channel c = channel;
        if (c == null) {
            return;
        }
        if (c.isActive()) {
            c.writeAndFlush(new CloseWebSocketFrame(1000, "bye")).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The highest seq received on this session; event-loop state, read it after the traffic stopped. */
    public long lastSeq() {
        return lastSeq;
    }

    /** {@code msg} frames received; event-loop state, read it after the traffic stopped. */
    public long received() {
        return received;
    }

    /**
     * Records a {@code msg} seq (event loop only).
     *
     * @return true if it is above every seq seen before on this session (in order, not a repeat)
     */
    public boolean advance(long seq) {
        received++;
        if (seq > lastSeq) {
            lastSeq = seq;
            return true;
        }
        return false;
    }

    /**
     * Confirms what this session received with {@code recv}, as the SDK does: once {@code delayMillis}
     * after the first unconfirmed message, or at once when {@code maxBatch} are unconfirmed. Call it
     * for each {@code msg}, after {@link #advance}; event loop only.
     */
    public void confirmEventually(long delayMillis, int maxBatch) {
        Channel c = channel;
        if (c == null) {
            return;
        }
        if (++unconfirmed >= maxBatch) {
            confirmNow();
        } else if (confirmTimer == null) {
            confirmTimer = c.eventLoop().schedule(this::confirmNow, delayMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void confirmNow() {
        if (confirmTimer != null) {
            confirmTimer.cancel(false);
            confirmTimer = null;
        }
        unconfirmed = 0;
        if (lastSeq > confirmedSeq) {
            confirmedSeq = lastSeq;
            send("{\"type\":\"recv\",\"seq\":" + lastSeq + "}");
        }
    }

    void attach(Channel channel) {
        this.channel = channel;
    }

    void closeCode(int code) {
        this.closeCode = code;
    }

    void ended(Throwable error) {
        if (error != null) {
            welcome.completeExceptionally(error);
        } else {
            welcome.completeExceptionally(new IllegalStateException("closed (" + closeCode + ") before welcome"));
        }
        closed.complete(closeCode);
    }

    int closeCode() {
        return closeCode;
    }

    @Override
    public String toString() {
        return "LoadConnection[" + user + "/" + device + " on node " + node + "]";
    }
}
