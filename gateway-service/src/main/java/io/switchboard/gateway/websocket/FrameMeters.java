package io.switchboard.gateway.websocket;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.gateway.delivery.GatewayMeters;
import io.switchboard.protocol.frame.ClientFrame;
import io.switchboard.protocol.frame.ServerFrame;
import java.util.HashMap;
import java.util.Map;

/**
 * Frames in and out by type ({@link GatewayMeters#FRAMES_IN}, {@link GatewayMeters#FRAMES_OUT}). Every
 * counter is registered up front, so counting a frame is a map lookup, not a meter-registry search.
 */
final class FrameMeters {

    private final Map<Class<?>, Counter> in = new HashMap<>();
    private final Map<Class<?>, Counter> out = new HashMap<>();
    private final Counter invalidIn;
    private final Counter pingOut;

    FrameMeters(MeterRegistry meters) {
        String i = GatewayMeters.FRAMES_IN.meterName();
        in.put(ClientFrame.Send.class, meters.counter(i, "type", "send"));
        in.put(ClientFrame.Recv.class, meters.counter(i, "type", "recv"));
        in.put(ClientFrame.Sync.class, meters.counter(i, "type", "sync"));
        in.put(ClientFrame.Ping.class, meters.counter(i, "type", "ping"));
        in.put(ClientFrame.PresenceSubscribe.class, meters.counter(i, "type", "presence.subscribe"));
        in.put(ClientFrame.PresenceUnsubscribe.class, meters.counter(i, "type", "presence.unsubscribe"));
        invalidIn = meters.counter(i, "type", "invalid");
        String o = GatewayMeters.FRAMES_OUT.meterName();
        out.put(ServerFrame.Welcome.class, meters.counter(o, "type", "welcome"));
        out.put(ServerFrame.Ack.class, meters.counter(o, "type", "ack"));
        out.put(ServerFrame.Msg.class, meters.counter(o, "type", "msg"));
        out.put(ServerFrame.Broadcast.class, meters.counter(o, "type", "broadcast"));
        out.put(ServerFrame.Presence.class, meters.counter(o, "type", "presence"));
        out.put(ServerFrame.Error.class, meters.counter(o, "type", "error"));
        out.put(ServerFrame.Pong.class, meters.counter(o, "type", "pong"));
        out.put(ServerFrame.Gap.class, meters.counter(o, "type", "gap"));
        out.put(ServerFrame.Synced.class, meters.counter(o, "type", "synced"));
        pingOut = meters.counter(o, "type", "ping");
    }

    /** A decoded request, or anything else read from a text or binary frame (an error to answer). */
    void received(Object request) {
        in.getOrDefault(request.getClass(), invalidIn).increment();
    }

    void sent(ServerFrame frame) {
        Counter c = out.get(frame.getClass());
        if (c != null) {
            c.increment();
        }
    }

    void pingSent() {
        pingOut.increment();
    }
}
