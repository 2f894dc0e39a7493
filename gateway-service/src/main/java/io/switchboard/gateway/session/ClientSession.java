package io.switchboard.gateway.session;

import io.switchboard.presence.PresenceSession;
import io.switchboard.protocol.frame.ServerFrame;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.springframework.web.reactive.socket.CloseStatus;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * One client connection on this node: who it is, when it was last heard from, and its bounded
 * outbound queue.
 *
 * <p>Frames may be queued from any thread (the event loop, Kafka callbacks, the heartbeat monitor);
 * they leave in the order they were queued. When the queue is full the client is not keeping up: the
 * session is closed with {@link CloseCodes#SLOW_CONSUMER} rather than buffering without bound or
 * dropping silently (its messages stay stored for replay).
 */
public final class ClientSession {

    private final PresenceSession identity;
    private final Sinks.Many<Outbound> outbound;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger queued = new AtomicInteger();
    private final int queueCapacity;
    private volatile Consumer<CloseStatus> closer = status -> {};
    private volatile long lastSeenNanos;
    private volatile long lastPingNanos;
    private long lastPushedSeq;

    public ClientSession(PresenceSession identity, int queueCapacity, long nowNanos) {
        this.identity = identity;
        this.queueCapacity = queueCapacity;
        // Reactor rounds queue sizes up to a power of two; the counter keeps the bound exact.
        this.outbound = Sinks.many()
                .unicast()
                .onBackpressureBuffer(Queues.<Outbound>get(queueCapacity).get());
        this.lastSeenNanos = nowNanos;
        this.lastPingNanos = nowNanos;
    }

    public PresenceSession identity() {
        return identity;
    }

    public String userId() {
        return identity.userId();
    }

    public String sessionId() {
        return identity.sessionId();
    }

    /** How the transport closes this connection; set once by the WebSocket handler. */
    public void onClose(Consumer<CloseStatus> closer) {
        this.closer = closer;
    }

    /** The frames to write, in queue order; subscribe once. */
    public Flux<Outbound> outbound() {
        return outbound.asFlux().doOnNext(item -> queued.decrementAndGet());
    }

    /** Queues a frame. Returns false when the session is closed or was just closed as a slow consumer. */
    public boolean send(ServerFrame frame) {
        return emit(new Outbound.Frame(frame));
    }

    /**
     * Queues a delivered message unless this session already got its seq (a copy redelivered after a
     * crash upstream). Returns false if it was not queued.
     */
    public boolean deliver(ServerFrame.Msg msg) {
        synchronized (this) {
            if (msg.seq() <= lastPushedSeq) {
                return false;
            }
            if (!emit(new Outbound.Frame(msg))) {
                return false;
            }
            lastPushedSeq = msg.seq();
            return true;
        }
    }

    /** Queues a WebSocket ping. */
    public void ping(long nowNanos) {
        lastPingNanos = nowNanos;
        emit(Outbound.Ping.INSTANCE);
    }

    /** Records that the client was heard from (any frame, or a pong). */
    public void touch(long nowNanos) {
        lastSeenNanos = nowNanos;
    }

    public long lastSeenNanos() {
        return lastSeenNanos;
    }

    public long lastPingNanos() {
        return lastPingNanos;
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** Closes the connection with {@code status}; later calls do nothing. */
    public void close(CloseStatus status) {
        if (closed.compareAndSet(false, true)) {
            closer.accept(status);
            outbound.tryEmitComplete();
        }
    }

    /** Ends the outbound stream after the transport closed from the other side. */
    public void closed() {
        closed.set(true);
        synchronized (this) {
            outbound.tryEmitComplete();
        }
    }

    private synchronized boolean emit(Outbound item) {
        if (closed.get()) {
            return false;
        }
        if (queued.get() >= queueCapacity) {
            close(CloseCodes.SLOW_CONSUMER);
            return false;
        }
        Sinks.EmitResult result = outbound.tryEmitNext(item);
        if (result == Sinks.EmitResult.FAIL_OVERFLOW) {
            close(CloseCodes.SLOW_CONSUMER);
            return false;
        }
        if (result.isSuccess()) {
            queued.incrementAndGet();
            return true;
        }
        return false;
    }
}
