package io.switchboard.protocol;

import java.util.Objects;

/**
 * A JSON value kept as the text it arrived in, so that a message body crosses the gateway, Kafka and
 * Redis without being parsed again. Only {@link io.switchboard.protocol.frame.FrameCodec} and
 * {@link io.switchboard.protocol.envelope.EnvelopeCodec} create it, from text they have validated.
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
