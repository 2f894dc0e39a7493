package io.switchboard.protocol.envelope;

import io.switchboard.protocol.Json;
import io.switchboard.protocol.frame.ServerFrame;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The value of a {@link Topics#BROADCAST} record: {@code {"v":1,"id","from","ts","body"}}, the
 * {@code broadcast} frame's content. Readers accept unknown fields. Stateless and thread-safe.
 */
public final class BroadcastCodec {

    public byte[] encode(ServerFrame.Broadcast b) {
        return Json.write(gen -> {
                    gen.writeStartObject();
                    gen.writeNumberProperty("v", 1);
                    gen.writeStringProperty("id", b.id());
                    gen.writeStringProperty("from", b.from());
                    gen.writeNumberProperty("ts", b.ts());
                    Json.raw(gen, "body", b.body());
                    gen.writeEndObject();
                })
                .getBytes(StandardCharsets.UTF_8);
    }

    /** @throws MalformedEnvelopeException if the bytes are not a broadcast envelope */
    public ServerFrame.Broadcast decode(byte[] bytes) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(bytes);
        } catch (JacksonException e) {
            throw new MalformedEnvelopeException("broadcast is not valid JSON");
        }
        if (n == null || !n.isObject()) {
            throw new MalformedEnvelopeException("broadcast is not a JSON object");
        }
        String id = Json.string(n, "id");
        String from = Json.string(n, "from");
        JsonNode ts = n.get("ts");
        JsonNode body = n.get("body");
        if (id == null || from == null || ts == null || !ts.canConvertToLong() || body == null) {
            throw new MalformedEnvelopeException("broadcast lacks id, from, ts or body");
        }
        return new ServerFrame.Broadcast(id, from, ts.asLong(), Json.rawOf(body));
    }
}
