package io.switchboard.gateway.websocket;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.switchboard.gateway.auth.GatewayPrincipal;
import io.switchboard.gateway.auth.HandshakeAuthenticator;
import io.switchboard.gateway.delivery.GatewayMeters;
import io.switchboard.gateway.inbound.MessageAcceptor;
import io.switchboard.gateway.presence.PresenceWatchers;
import io.switchboard.gateway.session.ClientSession;
import io.switchboard.gateway.session.CloseCodes;
import io.switchboard.gateway.session.HeartbeatMonitor;
import io.switchboard.gateway.session.LogKeys;
import io.switchboard.gateway.session.Outbound;
import io.switchboard.gateway.session.SessionFeed;
import io.switchboard.gateway.session.SessionFeeds;
import io.switchboard.gateway.session.SessionRegistry;
import io.switchboard.inbox.DeviceCursors;
import io.switchboard.presence.PresenceSession;
import io.switchboard.presence.PresenceStore;
import io.switchboard.protocol.frame.ClientFrame;
import io.switchboard.protocol.frame.ErrorCode;
import io.switchboard.protocol.frame.FrameCodec;
import io.switchboard.protocol.frame.FrameException;
import io.switchboard.protocol.frame.ServerFrame;
import io.switchboard.protocol.id.MessageIds;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.reactive.socket.CloseStatus;
import reactor.core.publisher.Mono;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * One WebSocket connection, from the authenticated upgrade ({@link WebSocketRoute},
 * {@link HandshakeAuthenticator}) to its close: inbound and outbound streams joined into one
 * {@code Mono<Void>}, which ends the connection when it completes.
 *
 * <p>Opening: the resume point is the {@code after} the client connected with, else the device's
 * cursor. The session joins this node's registry (live deliveries wait in its feed), then is
 * registered in presence; only then does the outbound stream start, with {@code welcome} first, and
 * the feed replays the inbox after the resume point before it goes live. From the moment a client
 * reads {@code welcome}, routing sees its session. If presence or the cursor cannot be read the
 * connection is closed with 1013 and the client retries.
 */
public final class GatewayWebSocketHandler {

    private static final Logger log = LoggerFactory.getLogger(GatewayWebSocketHandler.class);

    private final String nodeId;
    private final SessionRegistry registry;
    private final PresenceStore presence;
    private final HeartbeatMonitor heartbeat;
    private final MessageAcceptor acceptor;
    private final SessionFeeds feeds;
    private final DeviceCursors cursors;
    private final PresenceWatchers watchers;
    private final FrameCodec codec = new FrameCodec();
    private final MeterRegistry meters;
    private final FrameMeters frameMeters;
    private final Counter opened;
    private final int maxFrameBytes;
    private final int outboundQueue;
    private final int maxInflightSends;
    private final Duration presenceTimeout;

    public GatewayWebSocketHandler(
            String nodeId,
            SessionRegistry registry,
            PresenceStore presence,
            HeartbeatMonitor heartbeat,
            MessageAcceptor acceptor,
            SessionFeeds feeds,
            DeviceCursors cursors,
            PresenceWatchers watchers,
            MeterRegistry meters,
            int maxFrameBytes,
            int outboundQueue,
            int maxInflightSends,
            Duration presenceTimeout) {
        this.nodeId = nodeId;
        this.registry = registry;
        this.presence = presence;
        this.heartbeat = heartbeat;
        this.acceptor = acceptor;
        this.feeds = feeds;
        this.cursors = cursors;
        this.watchers = watchers;
        this.meters = meters;
        this.frameMeters = new FrameMeters(meters);
        this.opened = meters.counter(GatewayMeters.SESSIONS_OPENED.meterName());
        this.maxFrameBytes = maxFrameBytes;
        this.outboundQueue = outboundQueue;
        this.maxInflightSends = maxInflightSends;
        this.presenceTimeout = presenceTimeout;
    }

    /**
     * The largest frame (or fragmented message) the transport assembles at all; a larger one closes the
     * session with 1009 before it is buffered. Between {@code max-frame-bytes} and this, a frame is
     * read and answered with {@code frame_too_large}, the session stays. Twice the frame limit, at
     * least 128 KiB: room for a client that misjudges its frame size, while what one session can make
     * the node buffer stays small (at 1 MiB each, 160 sessions could hold all the direct memory
     * compose gives a gateway).
     */
    public static int transportFrameLimit(int maxFrameBytes) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(2L * maxFrameBytes, 128 * 1024));
    }

    /** {@link #transportFrameLimit(int)} for this node's {@code max-frame-bytes}. */
    public int transportFrameLimit() {
        return transportFrameLimit(maxFrameBytes);
    }

    /**
     * Serves one upgraded connection of {@code principal}; the connection closes when the returned
     * Mono completes.
     */
    public Mono<Void> handle(WebsocketInbound in, WebsocketOutbound out, GatewayPrincipal principal) {
        return resumePoint(principal)
                .flatMap(after -> serve(in, out, principal.user(), principal.device(), after))
                .onErrorResume(e -> {
                    log.warn("session refused: device cursor unavailable: {}", e.toString());
                    return close(out, CloseCodes.TRY_AGAIN_LATER);
                });
    }

    private static Channel channelOf(WebsocketOutbound out) {
        Channel[] channel = new Channel[1];
        out.withConnection(connection -> channel[0] = connection.channel());
        return channel[0];
    }

    private static Mono<Void> close(WebsocketOutbound out, CloseStatus status) {
        return out.sendClose(status.getCode(), status.getReason());
    }

    private Mono<Long> resumePoint(GatewayPrincipal principal) {
        if (principal.after() >= 0) {
            return Mono.just(principal.after());
        }
        return cursors.get(principal.user(), principal.device())
                .timeout(presenceTimeout)
                .onTerminateDetach(); // not held for the session's lifetime by what follows
    }

    private Mono<Void> serve(WebsocketInbound in, WebsocketOutbound out, String user, String device, long after) {
        PresenceSession identity =
                new PresenceSession(user, device, MessageIds.next(), nodeId, System.currentTimeMillis());
        ClientSession session = new ClientSession(identity, outboundQueue, System.nanoTime());
        session.onClose(status -> close(out, status).subscribe(null, e -> {}));
        session.send(new ServerFrame.Welcome(user, device, identity.sessionId(), after));
        SessionFeed feed = feeds.open(session);
        registry.add(session);

        Mono<Boolean> registered = presence.register(identity, heartbeat.presenceTtl())
                .timeout(presenceTimeout)
                .thenReturn(true)
                .doOnSuccess(ok -> log.atDebug()
                        .addKeyValue(LogKeys.SESSION_ID, identity.sessionId())
                        .addKeyValue(LogKeys.NODE_ID, nodeId)
                        .log("session {} opened (device {}, resuming after {})", identity.sessionId(), device, after))
                .onErrorResume(e -> {
                    log.atWarn()
                            .addKeyValue(LogKeys.SESSION_ID, identity.sessionId())
                            .log("session {} refused: presence unavailable: {}", identity.sessionId(), e.toString());
                    return Mono.just(false);
                })
                // The operators above (and the Redis call's subscription) are done once this emits;
                // without detaching, the session's outbound stream would hold them for its lifetime.
                .onTerminateDetach();
        Mono<Void> input = in.aggregateFrames(transportFrameLimit())
                .receiveFrames()
                .<Object>handle((frame, requests) -> {
                    Object request = inbound(session, frame);
                    if (request != Heard.INSTANCE) {
                        requests.next(request);
                    }
                })
                // Two stages keep a session's sends in order: requests are prepared concurrently
                // (the cid claim in Redis), released in arrival order, and only then written to Kafka.
                // They are set up with the first request: the first stage preallocates a queue of
                // max-inflight-sends slots (1.4 KiB at 256), which a session that only listens (and
                // answers pings) never needs.
                .switchOnFirst((first, requests) -> requests.flatMapSequential(
                                request -> reply(session, request), maxInflightSends)
                        .flatMap(write -> write, maxInflightSends))
                .then()
                // A message sent in fragments that grows past the transport limit: the aggregator
                // drops it and ends the input; say why, as the decoder does for one large frame.
                .onErrorResume(TooLongFrameException.class, e -> {
                    session.close(CloseCodes.MESSAGE_TOO_BIG);
                    return Mono.empty();
                });

        // The welcome (queued first) leaves only once the session is registered; a session that
        // cannot be registered is closed without ever being welcomed. Frames the client sends
        // meanwhile wait in the transport. The session ends when its input does (the client closed,
        // or this side closed the transport); only then is it removed, so never before registered.
        return registered
                .flatMap(ok -> {
                    if (!ok) {
                        session.close(CloseCodes.TRY_AGAIN_LATER);
                        return Mono.<Void>empty();
                    }
                    session.registered();
                    opened.increment();
                    feed.start(after);
                    // A session finished by the drain closes the transport only after its last
                    // frames were written.
                    session.outbound().subscribe(new ChannelFrameWriter(channelOf(out), this::toFrame, () -> {
                        CloseStatus finishing = session.finishing();
                        if (finishing != null) {
                            session.closeTransport(finishing);
                        }
                    }));
                    return input;
                })
                .onErrorResume(e -> {
                    log.atDebug()
                            .addKeyValue(LogKeys.SESSION_ID, identity.sessionId())
                            .log("session {} ended with {}", identity.sessionId(), e.toString());
                    return Mono.empty();
                })
                .doFinally(signal -> {
                    session.closed();
                    log.atDebug()
                            .addKeyValue(LogKeys.SESSION_ID, identity.sessionId())
                            .addKeyValue(LogKeys.NODE_ID, nodeId)
                            .log("session {} closed ({})", identity.sessionId(), closeReason(session));
                    registry.remove(session);
                    meters.counter(GatewayMeters.SESSIONS_CLOSED.meterName(), "reason", closeReason(session))
                            .increment();
                    watchers.forget(session);
                    presence.unregister(identity)
                            .subscribe(null, e -> log.warn("presence unregister failed: {}", e.toString()));
                });
    }

    /**
     * Reads one inbound message synchronously (its buffer is released once this returns) into the
     * request it carries, or into the error to answer.
     */
    private Object inbound(ClientSession session, WebSocketFrame frame) {
        session.touch(System.nanoTime());
        Object request = read(frame);
        if (request != Heard.INSTANCE) {
            frameMeters.received(request);
        }
        return request;
    }

    private Object read(WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame text) {
            if (text.content().readableBytes() > maxFrameBytes) {
                return new FrameException(
                        ErrorCode.FRAME_TOO_LARGE, null, "frames are limited to " + maxFrameBytes + " bytes");
            }
            try {
                return codec.decode(text.text());
            } catch (FrameException e) {
                return e;
            }
        }
        if (frame instanceof BinaryWebSocketFrame) {
            return new FrameException(ErrorCode.BINARY_UNSUPPORTED, null, "protocol v1 uses JSON text frames only");
        }
        return Heard.INSTANCE; // ping or pong: life, nothing to answer
    }

    private enum Heard {
        INSTANCE
    }

    /**
     * Handles one request. The returned Mono completes when the request is ready to finish and emits
     * what finishes it (for a {@code send}: the Kafka write and its answer).
     */
    private Mono<Mono<Void>> reply(ClientSession session, Object request) {
        if (request instanceof ClientFrame.Send send) {
            if (session.isDraining()) {
                // Not taken on: unanswered, like any send whose ack was lost; the client sends it
                // again (same cid) on its next connection, to another node.
                return Mono.just(Mono.empty());
            }
            session.sendStarted();
            return acceptor.accept(session.userId(), send)
                    .map(write -> write.doOnNext(answer -> answer(session, answer))
                            .then()
                            .doFinally(signal -> session.sendFinished()));
        }
        return respond(session, request).then(Mono.just(Mono.<Void>empty()));
    }

    private Mono<Void> respond(ClientSession session, Object request) {
        if (request instanceof ClientFrame.PresenceSubscribe subscribe) {
            return watchers.subscribe(session, subscribe.users());
        }
        if (request instanceof ClientFrame.PresenceUnsubscribe unsubscribe) {
            watchers.unsubscribe(session, unsubscribe.users());
            return Mono.empty();
        }
        if (request instanceof ClientFrame.Recv recv) {
            return confirm(session, recv.seq());
        }
        if (request instanceof ClientFrame.Sync sync) {
            session.feed().sync(sync.after());
        } else if (request instanceof ClientFrame.Ping) {
            session.send(new ServerFrame.Pong());
        } else if (request instanceof FrameException error) {
            answer(session, error.toFrame());
        }
        return Mono.empty();
    }

    /**
     * Moves the device's cursor, but never past what this session was sent: a client cannot confirm
     * messages it never got and so lose them on its next connect.
     */
    private Mono<Void> confirm(ClientSession session, long seq) {
        long upTo = Math.min(seq, session.feed().confirmable());
        if (!session.confirming(upTo)) {
            return Mono.empty();
        }
        return cursors.confirm(session.userId(), session.identity().device(), upTo)
                .onErrorResume(e -> {
                    // Not fatal: the device is sent those messages again on its next connect.
                    log.atWarn()
                            .addKeyValue(LogKeys.SESSION_ID, session.sessionId())
                            .log("session {}: cursor not saved: {}", session.sessionId(), e.toString());
                    return Mono.empty();
                });
    }

    private static String closeReason(ClientSession session) {
        CloseStatus status = session.closedWith();
        if (status == null) {
            return "client";
        }
        switch (status.getCode()) {
            case 4000:
                return "heartbeat_timeout";
            case 4008:
                return "slow_consumer";
            case 1001:
                return "shutdown";
            case 1012:
                return "drain";
            case 1013:
                return "unavailable";
            case 1009:
                return "message_too_big";
            default:
                return "error";
        }
    }

    private void answer(ClientSession session, ServerFrame frame) {
        if (frame instanceof ServerFrame.Error error) {
            meters.counter(
                            GatewayMeters.ERRORS_SENT.meterName(),
                            "code",
                            error.code().wire())
                    .increment();
        } else if (frame instanceof ServerFrame.Ack ack && log.isDebugEnabled()) {
            log.atDebug()
                    .addKeyValue(LogKeys.SESSION_ID, session.sessionId())
                    .addKeyValue(LogKeys.MESSAGE_ID, ack.id())
                    .log("message {} accepted from session {}", ack.id(), session.sessionId());
        }
        session.send(frame);
    }

    private WebSocketFrame toFrame(Outbound item) {
        if (item instanceof Outbound.Frame frame) {
            frameMeters.sent(frame.frame());
            return new TextWebSocketFrame(Unpooled.wrappedBuffer(codec.encodeUtf8(frame.frame())));
        }
        frameMeters.pingSent();
        return new PingWebSocketFrame(Unpooled.EMPTY_BUFFER);
    }
}
