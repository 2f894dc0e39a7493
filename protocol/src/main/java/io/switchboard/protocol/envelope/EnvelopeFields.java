package io.switchboard.protocol.envelope;

import io.switchboard.protocol.JsonObjectReader;
import io.switchboard.protocol.RawJson;
import java.util.function.Supplier;
import tools.jackson.core.JacksonException;

/**
 * The fields of any envelope (inbound, sequenced, broadcast) as read, unknown ones skipped; each
 * codec checks the ones its envelope needs when it builds it.
 */
final class EnvelopeFields {

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

    /**
     * Reads every field an envelope may carry from UTF-8 bytes; {@code kind} names the envelope in the
     * errors.
     *
     * @throws MalformedEnvelopeException if the input is not one JSON object in UTF-8
     */
    static EnvelopeFields read(byte[] utf8, String kind) {
        return read(() -> JsonObjectReader.of(utf8), kind);
    }

    /** As {@link #read(byte[], String)}, from text. */
    static EnvelopeFields read(String text, String kind) {
        return read(() -> JsonObjectReader.of(text), kind);
    }

    /** Opens the reader inside the {@code try}: opening checks the input too (its encoding). */
    private static EnvelopeFields read(Supplier<JsonObjectReader> open, String kind) {
        EnvelopeFields f = new EnvelopeFields();
        try (JsonObjectReader reader = open.get()) {
            if (!reader.startObject()) {
                throw new MalformedEnvelopeException(kind + " is not a JSON object");
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
            throw new MalformedEnvelopeException(kind + " is not valid JSON");
        }
        return f;
    }

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
