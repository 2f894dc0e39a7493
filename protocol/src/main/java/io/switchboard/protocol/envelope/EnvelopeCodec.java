package io.switchboard.protocol.envelope;

import io.switchboard.protocol.Json;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * JSON encoding of the Kafka envelopes. Every envelope carries {@code "v":1}; readers accept unknown
 * fields so that a newer writer can add some. Stateless and thread-safe.
 */
public final class EnvelopeCodec {

    private static final int VERSION = 1;

    public byte[] encode(InboundMessage m) {
        return utf8(Json.write(gen -> {
            gen.writeStartObject();
            gen.writeNumberProperty("v", VERSION);
            gen.writeStringProperty("id", m.id());
            gen.writeStringProperty("cid", m.cid());
            gen.writeStringProperty("from", m.from());
            gen.writeStringProperty("to", m.to());
            gen.writeNumberProperty("ts", m.ts());
            Json.raw(gen, "body", m.body());
            Json.optionalString(gen, "group", m.group());
            gen.writeEndObject();
        }));
    }

    public byte[] encode(SequencedMessage m) {
        return utf8(Json.write(gen -> {
            gen.writeStartObject();
            gen.writeNumberProperty("v", VERSION);
            gen.writeStringProperty("id", m.id());
            gen.writeNumberProperty("seq", m.seq());
            gen.writeStringProperty("from", m.from());
            gen.writeStringProperty("to", m.to());
            gen.writeNumberProperty("ts", m.ts());
            Json.raw(gen, "body", m.body());
            Json.optionalString(gen, "group", m.group());
            gen.writeEndObject();
        }));
    }

    /** @throws MalformedEnvelopeException if the bytes are not an inbound envelope */
    public InboundMessage decodeInbound(byte[] bytes) {
        JsonNode n = parse(bytes);
        return new InboundMessage(
                required(n, "id"),
                required(n, "cid"),
                required(n, "from"),
                required(n, "to"),
                number(n, "ts"),
                body(n),
                Json.string(n, "group"));
    }

    /** @throws MalformedEnvelopeException if the bytes are not a sequenced envelope */
    public SequencedMessage decodeSequenced(byte[] bytes) {
        JsonNode n = parse(bytes);
        return new SequencedMessage(
                required(n, "id"),
                number(n, "seq"),
                required(n, "from"),
                required(n, "to"),
                number(n, "ts"),
                body(n),
                Json.string(n, "group"));
    }

    private static JsonNode parse(byte[] bytes) {
        try {
            JsonNode n = Json.MAPPER.readTree(bytes);
            if (n == null || !n.isObject()) {
                throw new MalformedEnvelopeException("envelope is not a JSON object");
            }
            return n;
        } catch (JacksonException e) {
            throw new MalformedEnvelopeException("envelope is not valid JSON");
        }
    }

    private static String required(JsonNode n, String field) {
        String value = Json.string(n, field);
        if (value == null) {
            throw new MalformedEnvelopeException("envelope lacks string field '" + field + "'");
        }
        return value;
    }

    private static long number(JsonNode n, String field) {
        JsonNode value = n.get(field);
        if (value == null || !value.canConvertToLong()) {
            throw new MalformedEnvelopeException("envelope lacks integer field '" + field + "'");
        }
        return value.asLong();
    }

    private static io.switchboard.protocol.RawJson body(JsonNode n) {
        JsonNode body = n.get("body");
        if (body == null) {
            throw new MalformedEnvelopeException("envelope lacks field 'body'");
        }
        return Json.rawOf(body);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
