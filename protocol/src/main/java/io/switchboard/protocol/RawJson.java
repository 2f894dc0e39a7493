package io.switchboard.protocol;

import java.util.Objects;

/**
 * A JSON value kept as the text it arrived in, so that a message body crosses the gateway, Kafka and
 * Redis without being parsed again and reaches the recipient exactly as it was sent. The message
 * path creates it only through {@link JsonObjectReader#rawValue()}, from text the parser has
 * validated.
 */
public record RawJson(String json) {

    public RawJson {
        Objects.requireNonNull(json, "json");
    }

    /** Length in UTF-16 chars: a cheap upper bound check before counting bytes. */
    public int length() {
        return json.length();
    }

    @Override
    public String toString() {
        // Bodies are customer data: keep them out of logs and exception messages.
        return "RawJson[" + json.length() + " chars]";
    }
}
