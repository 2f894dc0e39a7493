package io.switchboard.protocol.envelope;

import io.switchboard.protocol.Json;
import io.switchboard.protocol.JsonObjectReader;
import io.switchboard.protocol.RawJson;
import java.util.function.Consumer;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;

/**
 * JSON encoding of the Kafka envelopes. Every envelope carries {@code "v":1}; readers accept unknown
 * fields so that a newer writer can add some. The body is copied as the exact text it arrived in,
 * both ways. Stateless and thread-safe.
 */
public final class EnvelopeCodec {

    private static final int VERSION = 1;

    public byte[] encode(InboundMessage m) {
        return Json.writeUtf8(inbound(m));
    }

    /** {@link #encode(InboundMessage)} as text, for stores that keep strings (Redis). */
    public String encodeAsText(InboundMessage m) {
        return Json.write(inbound(m));
    }

    public byte[] encode(SequencedMessage m) {
        return Json.writeUtf8(gen -> {
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
        });
    }

    private static Consumer<JsonGenerator> inbound(InboundMessage m) {
        return gen -> {
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
        };
    }

    /** @throws MalformedEnvelopeException if the bytes are not an inbound envelope */
    public InboundMessage decodeInbound(byte[] bytes) {
        return read(JsonObjectReader.of(bytes)).inbound();
    }

    /** @throws MalformedEnvelopeException if the text is not an inbound envelope */
    public InboundMessage decodeInbound(String text) {
        return read(JsonObjectReader.of(text)).inbound();
    }

    /** @throws MalformedEnvelopeException if the bytes are not a sequenced envelope */
    public SequencedMessage decodeSequenced(byte[] bytes) {
        return read(JsonObjectReader.of(bytes)).sequenced();
    }

    private static Fields read(JsonObjectReader reader) {
        Fields f = new Fields();
        try (reader) {
            if (!reader.startObject()) {
                throw new MalformedEnvelopeException("envelope is not a JSON object");
            }
            for (String name = reader.nextField(); name != null; name = reader.nextField()) {
                switch (name) {
                    case "id" -> f.id = reader.stringOrNull();
                    case "cid" -> f.cid = reader.stringOrNull();
                    case "from" -> f.from = reader.stringOrNull();
                    case "to" -> f.to = reader.stringOrNull();
                    case "group" -> f.group = reader.stringOrNull();
                    case "body" -> f.body = reader.rawValue();
                    case "ts" -> {
                        f.hasTs = reader.isLong();
                        f.ts = f.hasTs ? reader.longValue() : 0;
                    }
                    case "seq" -> {
                        f.hasSeq = reader.isLong();
                        f.seq = f.hasSeq ? reader.longValue() : 0;
                    }
                    default -> {
                        // a field a newer writer added: skipped
                    }
                }
            }
        } catch (JacksonException e) {
            throw new MalformedEnvelopeException("envelope is not valid JSON");
        }
        return f;
    }

    /** The fields of either envelope as read; checked when the envelope is built. */
    private static final class Fields {
        String id;
        String cid;
        String from;
        String to;
        String group;
        RawJson body;
        long ts;
        boolean hasTs;
        long seq;
        boolean hasSeq;

        InboundMessage inbound() {
            return new InboundMessage(
                    required(id, "id"),
                    required(cid, "cid"),
                    required(from, "from"),
                    required(to, "to"),
                    required(ts, hasTs, "ts"),
                    body(),
                    group);
        }

        SequencedMessage sequenced() {
            return new SequencedMessage(
                    required(id, "id"),
                    required(seq, hasSeq, "seq"),
                    required(from, "from"),
                    required(to, "to"),
                    required(ts, hasTs, "ts"),
                    body(),
                    group);
        }

        private RawJson body() {
            if (body == null) {
                throw new MalformedEnvelopeException("envelope lacks field 'body'");
            }
            return body;
        }

        private static String required(String value, String field) {
            if (value == null) {
                throw new MalformedEnvelopeException("envelope lacks string field '" + field + "'");
            }
            return value;
        }

        private static long required(long value, boolean present, String field) {
            if (!present) {
                throw new MalformedEnvelopeException("envelope lacks integer field '" + field + "'");
            }
            return value;
        }
    }
}
