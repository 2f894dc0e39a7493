package io.switchboard.protocol.envelope;

import io.switchboard.protocol.Json;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * JSON of {@link Topics#PRESENCE} records: {@code {"v":1,"user":"bob","status":"offline","at":…,
 * "cause":"timeout","lastSeen":…,"version":7}}. Readers accept unknown fields. Thread-safe.
 */
public final class PresenceChangeCodec {

    public byte[] encode(PresenceChange c) {
        return Json.write(gen -> {
                    gen.writeStartObject();
                    gen.writeNumberProperty("v", 1);
                    gen.writeStringProperty("user", c.user());
                    gen.writeStringProperty("status", c.online() ? "online" : "offline");
                    gen.writeNumberProperty("at", c.at());
                    gen.writeStringProperty("cause", c.cause());
                    gen.writeNumberProperty("lastSeen", c.lastSeen());
                    gen.writeNumberProperty("version", c.version());
                    gen.writeEndObject();
                })
                .getBytes(StandardCharsets.UTF_8);
    }

    /** @throws MalformedEnvelopeException if the bytes are not a presence change */
    public PresenceChange decode(byte[] bytes) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(bytes);
        } catch (JacksonException e) {
            throw new MalformedEnvelopeException("presence change is not valid JSON");
        }
        if (n == null || !n.isObject()) {
            throw new MalformedEnvelopeException("presence change is not a JSON object");
        }
        String user = Json.string(n, "user");
        String status = Json.string(n, "status");
        if (user == null || !("online".equals(status) || "offline".equals(status))) {
            throw new MalformedEnvelopeException("presence change lacks 'user' or a valid 'status'");
        }
        String cause = Json.string(n, "cause");
        return new PresenceChange(
                user,
                "online".equals(status),
                number(n, "at"),
                cause == null ? "" : cause,
                number(n, "lastSeen"),
                number(n, "version"));
    }

    private static long number(JsonNode n, String field) {
        JsonNode value = n.get(field);
        if (value == null || !value.isIntegralNumber()) {
            throw new MalformedEnvelopeException("presence change lacks integer field '" + field + "'");
        }
        return value.asLong();
    }
}
