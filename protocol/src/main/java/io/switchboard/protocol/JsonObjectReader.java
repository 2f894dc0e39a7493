package io.switchboard.protocol;

import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamReadException;

/**
 * Reads the top-level fields of one JSON object with Jackson's streaming parser, without building a
 * tree: on the message path every frame and envelope is read this way, at half the time and
 * allocation a tree took (CodecBenchmarks).
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li>The whole input is checked: invalid JSON anywhere, nesting deeper than {@link
 *       Json#MAX_NESTING_DEPTH} or anything after the object throws {@link JacksonException}, even in
 *       fields the caller skips.
 *   <li>{@link #rawValue()} keeps a value exactly as it appears in the input (whitespace, number
 *       spelling, escapes), which is what lets a body be carried unchanged.
 *   <li>A value the caller does not read is skipped by the next {@link #nextField()}.
 *   <li>A field that appears twice is read twice; a caller that keeps the last one reads JSON as the
 *       tree model did.
 * </ul>
 *
 * Not thread-safe: one reader per input.
 */
public final class JsonObjectReader implements AutoCloseable {

    private final JsonParser parser;
    private final byte[] utf8;
    private final String text;
    /** On a field's value (which the next field skips if it was not read), not on the object's start. */
    private boolean onValue;

    private JsonObjectReader(JsonParser parser, byte[] utf8, String text) {
        this.parser = parser;
        this.utf8 = utf8;
        this.text = text;
    }

    /**
     * A reader of UTF-8 bytes (a Kafka record value).
     *
     * @throws JacksonException if the bytes are in an encoding Jackson would detect instead (UTF-16 or
     *     UTF-32, with or without a byte order mark): JSON between systems is UTF-8 (RFC 8259), and
     *     {@link #rawValue()} cuts values out of the bytes as UTF-8
     */
    public static JsonObjectReader of(byte[] utf8) {
        if (!utf8OrUndetected(utf8)) {
            throw new StreamReadException(null, "input is not UTF-8");
        }
        return new JsonObjectReader(
                Json.MAPPER.tokenStreamFactory().createParser(ObjectReadContext.empty(), utf8), utf8, null);
    }

    /**
     * False for what Jackson's encoding detection takes for UTF-16 or UTF-32: a byte order mark other
     * than UTF-8's, or a zero byte among the first four (JSON text in UTF-8 has no zero byte at all).
     */
    private static boolean utf8OrUndetected(byte[] bytes) {
        if (bytes.length >= 2
                && ((bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF)
                        || (bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE))) {
            return false;
        }
        for (int i = 0; i < Math.min(4, bytes.length); i++) {
            if (bytes[i] == 0) {
                return false;
            }
        }
        return true;
    }

    /** A reader of text (a WebSocket text frame, a string kept in Redis). */
    public static JsonObjectReader of(String text) {
        return new JsonObjectReader(
                Json.MAPPER.tokenStreamFactory().createParser(ObjectReadContext.empty(), text), null, text);
    }

    /**
     * Reads the start of the input: {@code true} if it is a JSON object, {@code false} if it is any
     * other value (or empty).
     */
    public boolean startObject() {
        return parser.nextToken() == JsonToken.START_OBJECT;
    }

    /**
     * Moves to the next field, skipping the value of the one before if it was not read, and returns
     * its name with the reader on its value; {@code null} after the last field, once the rest of the
     * input was checked to be empty.
     */
    public String nextField() {
        if (onValue) {
            parser.skipChildren();
        }
        JsonToken token = parser.nextToken();
        if (token == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            parser.nextToken();
            onValue = true;
            return name;
        }
        onValue = false;
        if (token == JsonToken.END_OBJECT && parser.nextToken() != null) {
            throw new StreamReadException(parser, "content after the JSON object");
        }
        return null;
    }

    /** The current value's token. */
    public JsonToken token() {
        return parser.currentToken();
    }

    /** The current value if it is a string, else {@code null}. */
    public String stringOrNull() {
        return parser.currentToken() == JsonToken.VALUE_STRING ? parser.getString() : null;
    }

    /** {@code true} if the current value is an integer that fits a {@code long}. */
    public boolean isLong() {
        return parser.currentToken() == JsonToken.VALUE_NUMBER_INT
                && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER;
    }

    /** The current value as a {@code long}; only after {@link #isLong()} answered {@code true}. */
    public long longValue() {
        return parser.getLongValue();
    }

    /** The current value, of any type, as the exact text of the input; the reader moves past it. */
    public RawJson rawValue() {
        long start = offset(parser.currentTokenLocation());
        parser.skipChildren();
        parser.finishToken(); // a string's end is found only when it is read
        long end = offset(parser.currentLocation());
        int from = Math.toIntExact(start);
        int length = Math.toIntExact(end - start);
        return new RawJson(
                utf8 != null
                        ? new String(utf8, from, length, StandardCharsets.UTF_8)
                        : text.substring(from, from + length));
    }

    /**
     * The parser, on the current value, for values this class has no method for (an array of
     * strings). The caller leaves it on the value's last token.
     */
    public JsonParser parser() {
        return parser;
    }

    private long offset(TokenStreamLocation location) {
        return utf8 != null ? location.getByteOffset() : location.getCharOffset();
    }

    @Override
    public void close() {
        parser.close();
    }
}
