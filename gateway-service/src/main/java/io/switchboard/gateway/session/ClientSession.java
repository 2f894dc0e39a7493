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

    /** Slots per link of the outbound queue (frames usually leave at once; bursts add links). */
    private static final int QUEUE_LINK = 16;

    private final PresenceSession identity;
    private final Sinks.Many<Outbound> outbound;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger sendsInFlight = new AtomicInteger();
    private final AtomicBoolean transportClosing = new AtomicBoolean();
    private final int queueCapacity;
    private volatile Consumer<CloseStatus> closer = status -> {};
    private volatile long lastSeenNanos;
    private volatile long lastPingNanos;
    private volatile SessionFeed feed;
    private volatile CloseStatus closedWith;
    private volatile CloseStatus finishing;
    private volatile boolean draining;
    private volatile boolean registered;
    /** Frames the writer took from the queue; written only by the serialized outbound stream. */
    private volatile long taken;

    private long confirmed;

    public ClientSession(PresenceSession identity, int queueCapacity, long nowNanos) {
        this.identity = identity;
        this.queueCapacity = queueCapacity;
        // The counter keeps the bound exact; the queue itself grows in small links as frames wait.
        // A preallocated array of queueCapacity slots would cost every idle session 4 KiB of heap.
        this.outbound = Sinks.many()
                .unicast()
                .onBackpressureBuffer(Queues.<Outbound>unbounded(QUEUE_LINK).get());
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
        return outbound.asFlux().doOnNext(item -> {
            queued.decrementAndGet();
            taken++; // onNext is serialized: one writer at a time
        });
    }

    /**
     * How many frames the writer has taken from the queue so far: it only grows while the client
     * reads, so an unchanged count means no progress (see {@link SessionFeed}'s slow-consumer rule).
     */
    public long taken() {
        return taken;
    }

    /** Marks the session as registered in presence: from now on the heartbeat refreshes it there. */
    public void registered() {
        registered = true;
    }

    /** Whether its first presence registration succeeded; until then nothing refreshes or re-registers it. */
    public boolean isRegistered() {
        return registered;
    }

    /** Queues a frame. Returns false when the session is closed or was just closed as a slow consumer. */
    public boolean send(ServerFrame frame) {
        return emit(new Outbound.Frame(frame));
    }

    /** The session's message stream (replay, then live); set once when the session opens. */
    public SessionFeed feed() {
        return feed;
    }

    public void attach(SessionFeed feed) {
        this.feed = feed;
    }

    /**
     * Notes that the client confirmed messages up to {@code seq}; returns false when an earlier
     * confirmation of this session already covered it (nothing to write).
     */
    public synchronized boolean confirming(long seq) {
        if (seq <= confirmed) {
            return false;
        }
        confirmed = seq;
        return true;
    }

    /** Items waiting in the outbound queue. */
    public int queued() {
        return queued.get();
    }

    /** The outbound queue's bound; one more item closes the session as a slow consumer. */
    public int queueCapacity() {
        return queueCapacity;
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

    /**
     * Closes the connection with {@code status} at once (frames still queued are dropped); later
     * calls do nothing, except that a session being {@linkplain #finish finished} is closed now.
     */
    public void close(CloseStatus status) {
        if (closed.compareAndSet(false, true)) {
            closedWith = status;
            closeTransport(status);
            synchronized (this) { // serialized with emit, or a concurrent emit could make the sink refuse it
                outbound.tryEmitComplete();
            }
        } else if (finishing != null) {
            closeTransport(finishing);
        }
    }

    /**
     * Ends the session gracefully: nothing more is queued, the frames already queued are written,
     * then the transport is closed with {@code status} (see {@link #finishing}). Later calls, and
     * {@link #close} calls, do not change the status.
     */
    public void finish(CloseStatus status) {
        if (closed.compareAndSet(false, true)) {
            closedWith = status;
            finishing = status;
            synchronized (this) {
                outbound.tryEmitComplete();
            }
        }
    }

    /** The status to close the transport with once the outbound stream is written; null unless finishing. */
    public CloseStatus finishing() {
        return finishing;
    }

    /** Closes the transport once, whichever of {@link #close} and the end of a finish comes first. */
    public void closeTransport(CloseStatus status) {
        if (transportClosing.compareAndSet(false, true)) {
            closer.accept(status);
        }
    }

    /** From now on this session takes no new {@code send} (the node is draining); see {@link SessionDrain}. */
    public void startDraining() {
        draining = true;
    }

    public boolean isDraining() {
        return draining;
    }

    /** A {@code send} of this session was taken on; {@link #sendFinished} when it was answered or dropped. */
    public void sendStarted() {
        sendsInFlight.incrementAndGet();
    }

    public void sendFinished() {
        sendsInFlight.decrementAndGet();
    }

    /** Sends taken on and not yet answered. */
    public int sendsInFlight() {
        return sendsInFlight.get();
    }

    /** The status this side closed the session with; null while open or when the client closed it. */
    public CloseStatus closedWith() {
        return closedWith;
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
