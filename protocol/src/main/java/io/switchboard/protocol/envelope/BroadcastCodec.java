package io.switchboard.protocol.envelope;

import io.switchboard.protocol.Json;
import io.switchboard.protocol.JsonObjectReader;
import io.switchboard.protocol.RawJson;
import io.switchboard.protocol.frame.ServerFrame;
import tools.jackson.core.JacksonException;

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
        String id = null;
        String from = null;
        long ts = 0;
        boolean hasTs = false;
        RawJson body = null;
        try (JsonObjectReader reader = JsonObjectReader.of(bytes)) {
            if (!reader.startObject()) {
                throw new MalformedEnvelopeException("broadcast is not a JSON object");
            }
            for (String name = reader.nextField(); name != null; name = reader.nextField()) {
                switch (name) {
                    case "id" -> id = reader.stringOrNull();
                    case "from" -> from = reader.stringOrNull();
                    case "ts" -> {
                        hasTs = reader.isLong();
                        ts = hasTs ? reader.longValue() : 0;
                    }
                    case "body" -> body = reader.rawValue();
                    default -> {
                        // a field a newer writer added: skipped
                    }
                }
            }
        } catch (JacksonException e) {
            throw new MalformedEnvelopeException("broadcast is not valid JSON");
        }
        if (id == null || from == null || !hasTs || body == null) {
            throw new MalformedEnvelopeException("broadcast lacks id, from, ts or body");
        }
        return new ServerFrame.Broadcast(id, from, ts, body);
    }
}
