package io.switchboard.protocol.envelope;

import io.switchboard.protocol.Json;
import java.util.function.Consumer;
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
        return EnvelopeFields.read(bytes, "envelope").inbound();
    }

    /** @throws MalformedEnvelopeException if the text is not an inbound envelope */
    public InboundMessage decodeInbound(String text) {
        return EnvelopeFields.read(text, "envelope").inbound();
    }

    /** @throws MalformedEnvelopeException if the bytes are not a sequenced envelope */
    public SequencedMessage decodeSequenced(byte[] bytes) {
        return EnvelopeFields.read(bytes, "envelope").sequenced();
    }
}
