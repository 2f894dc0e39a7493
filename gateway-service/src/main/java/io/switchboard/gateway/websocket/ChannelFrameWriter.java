package io.switchboard.gateway.websocket;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.switchboard.gateway.session.Outbound;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Function;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;

/**
 * Writes one session's outbound stream to its WebSocket channel: in queue order, each item turned
 * into a frame on the channel's event loop, one flush per burst. At most {@link #WINDOW} items are
 * between the session's queue and the socket (taken from the queue, not yet written out); the rest
 * wait in the session's bounded queue, where they count towards its slow-consumer limit.
 *
 * <p>Why not Reactor Netty's {@code sendObject(Publisher)}: it preallocates a 128-slot prefetch queue
 * per connection, 1 KiB of heap on every idle session. This writer holds no queue: Netty's own
 * per-channel outbound buffer is the only one.
 *
 * <p>Ordering: the session's queue delivers items one at a time, and every item (the completion
 * too) goes through the event loop's task queue, even when it arrives on the event loop, so frames
 * leave in the order they were queued whatever thread queued them.
 */
final class ChannelFrameWriter implements CoreSubscriber<Outbound>, ChannelFutureListener {

    /** Items taken from the session's queue and not yet written to the socket, at most. */
    static final int WINDOW = 32;

    private static final Logger log = LoggerFactory.getLogger(ChannelFrameWriter.class);
    private static final AtomicIntegerFieldUpdater<ChannelFrameWriter> PENDING =
            AtomicIntegerFieldUpdater.newUpdater(ChannelFrameWriter.class, "pending");

    private final Channel channel;
    private final Function<Outbound, WebSocketFrame> encoder;
    private final Runnable completed;
    private volatile Subscription subscription;
    /** Tasks handed to the event loop and not yet run; the last one of a burst flushes. */
    private volatile int pending;

    /**
     * @param encoder turns an item into its frame; runs on the event loop
     * @param completed runs on the event loop once the stream completed and every item before the
     *     completion was written to the channel
     */
    ChannelFrameWriter(Channel channel, Function<Outbound, WebSocketFrame> encoder, Runnable completed) {
        this.channel = channel;
        this.encoder = encoder;
        this.completed = completed;
    }

    @Override
    public void onSubscribe(Subscription s) {
        subscription = s;
        s.request(WINDOW);
    }

    @Override
    public void onNext(Outbound item) {
        PENDING.incrementAndGet(this);
        execute(() -> write(item));
    }

    private void execute(Runnable task) {
        try {
            channel.eventLoop().execute(task);
        } catch (RejectedExecutionException e) {
            // The server's event loops are shutting down: the connection goes with them.
            PENDING.decrementAndGet(this);
        }
    }

    private void write(Outbound item) {
        WebSocketFrame frame;
        try {
            frame = encoder.apply(item);
        } catch (RuntimeException e) {
            log.error("frame not written: {}", e.toString());
            flushIfLast();
            subscription.request(1);
            return;
        }
        channel.write(frame).addListener(this);
        flushIfLast();
    }

    private void flushIfLast() {
        if (PENDING.decrementAndGet(this) == 0) {
            channel.flush();
        }
    }

    /** A frame left for the socket: room for the next item. */
    @Override
    public void operationComplete(ChannelFuture future) {
        if (future.isSuccess()) {
            subscription.request(1);
        }
        // Otherwise the channel is closing: the session ends with it, nothing more to take.
    }

    @Override
    public void onError(Throwable t) {
        // A session's queue does not fail; should it, the items before it are still written.
        log.warn("outbound stream failed: {}", t.toString());
        onComplete();
    }

    @Override
    public void onComplete() {
        PENDING.incrementAndGet(this);
        execute(() -> {
            flushIfLast();
            completed.run();
        });
    }
}
