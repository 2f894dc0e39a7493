package io.switchboard.protocol.envelope;

import io.switchboard.protocol.Json;
import io.switchboard.protocol.frame.ServerFrame;

/**
 * The value of a {@link Topics#BROADCAST} record: {@code {"v":1,"id","from","ts","body"}}, the
 * {@code broadcast} frame's content. Readers accept unknown fields. Stateless and thread-safe.
 */
public final class BroadcastCodec {

    public byte[] encode(ServerFrame.Broadcast b) {
        return Json.writeUtf8(gen -> {
            gen.writeStartObject();
            gen.writeNumberProperty("v", 1);
            gen.writeStringProperty("id", b.id());
            gen.writeStringProperty("from", b.from());
            gen.writeNumberProperty("ts", b.ts());
            Json.raw(gen, "body", b.body());
            gen.writeEndObject();
        });
    }

    /** @throws MalformedEnvelopeException if the bytes are not a broadcast envelope */
    public ServerFrame.Broadcast decode(byte[] bytes) {
        EnvelopeFields f = EnvelopeFields.read(bytes, "broadcast");
        if (f.id == null || f.from == null || !f.hasTs || f.body == null) {
            throw new MalformedEnvelopeException("broadcast lacks id, from, ts or body");
        }
        return new ServerFrame.Broadcast(f.id, f.from, f.ts, f.body);
    }
}
