package io.switchboard.protocol;

import java.io.StringWriter;
import java.util.function.Consumer;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.ByteArrayBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one JSON mapper of the protocol. Frames and envelopes are written with a streaming generator
 * (no reflection; bodies copied as raw text) and read with a streaming parser ({@link
 * JsonObjectReader}); the HTTP APIs read trees.
 */
public final class Json {

    /** Nesting deeper than this is refused: a body is data, not a parser stress test. */
    public static final int MAX_NESTING_DEPTH = 64;

    public static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING_DEPTH)
                            .build())
                    .build())
            .build();

    private Json() {}

    /** Runs {@code body} against a fresh generator and returns the text it wrote. */
    public static String write(Consumer<JsonGenerator> body) {
        StringWriter out = new StringWriter(128);
        try (JsonGenerator gen = MAPPER.createGenerator(out)) {
            body.accept(gen);
        }
        return out.toString();
    }

    /** Runs {@code body} against a fresh generator and returns what it wrote as UTF-8 bytes. */
    public static byte[] writeUtf8(Consumer<JsonGenerator> body) {
        ByteArrayBuilder out = new ByteArrayBuilder(256);
        try (JsonGenerator gen = MAPPER.createGenerator(out)) {
            body.accept(gen);
        }
        return out.toByteArray();
    }

    /** Writes {@code "name": value} unless the value is {@code null}. */
    public static void optionalString(JsonGenerator gen, String name, String value) {
        if (value != null) {
            gen.writeStringProperty(name, value);
        }
    }

    /** Writes {@code "name": <raw json>}. */
    public static void raw(JsonGenerator gen, String name, RawJson value) {
        gen.writeName(name);
        gen.writeRawValue(value.json());
    }

    /** The text of a string field, or {@code null} when the field is absent or not a string. */
    public static String string(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isString() ? value.asString() : null;
    }
}
