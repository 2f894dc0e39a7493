package io.switchboard.loadgen.client;

import io.switchboard.protocol.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * The fields of a server frame the load generator uses, read with a streaming parser (no tree). Absent
 * numbers are {@code -1}, absent strings {@code null}. The message number the load generator puts in
 * every body ({@code {"n":…}}) is lifted out as {@link #bodyN()}.
 *
 * @param type frame type ({@code welcome}, {@code ack}, {@code msg}, {@code error}, {@code gap}, …)
 * @param cid the client id of an {@code ack} or {@code error}
 * @param id the message id of an {@code ack} or {@code msg}
 * @param seq the recipient's seq of a {@code msg}
 * @param from the sender of a {@code msg}, or {@code null}
 * @param to the recipient of a {@code msg}
 * @param code the error code of an {@code error}
 * @param after {@code welcome}'s {@code after} (where replay starts), {@code -1} if the server does not send it
 * @param gapFrom first seq of a {@code gap}
 * @param gapTo last seq of a {@code gap} (its {@code to}), or {@code upTo} of {@code synced}
 * @param bodyN the body's {@code n}, or {@code -1}
 */
public record IncomingFrame(
        String type,
        String cid,
        String id,
        long seq,
        String from,
        String to,
        String code,
        long after,
        long gapFrom,
        long gapTo,
        long bodyN) {

    /** @throws IllegalArgumentException if the bytes are not a JSON object */
    public static IncomingFrame parse(byte[] json) {
        String type = null, cid = null, id = null, from = null, to = null, code = null;
        long seq = -1, after = -1, gapFrom = -1, gapTo = -1, bodyN = -1;
        try (JsonParser p = Json.MAPPER.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("frame is not a JSON object");
            }
            String name;
            while ((name = p.nextName()) != null) {
                JsonToken value = p.nextToken();
                switch (name) {
                    case "type" -> type = p.getString();
                    case "cid" -> cid = p.getString();
                    case "id" -> id = p.getString();
                    case "to" -> {
                        // a user id in msg, a seq in gap
                        if (value == JsonToken.VALUE_STRING) {
                            to = p.getString();
                        } else {
                            gapTo = p.getValueAsLong(-1);
                        }
                    }
                    case "code" -> code = p.getString();
                    case "seq" -> seq = p.getValueAsLong(-1);
                    case "after" -> after = p.getValueAsLong(-1);
                    case "upTo" -> gapTo = p.getValueAsLong(-1);
                    case "from" -> {
                        // a user id in msg, a seq in gap
                        if (value == JsonToken.VALUE_STRING) {
                            from = p.getString();
                        } else {
                            gapFrom = p.getValueAsLong(-1);
                        }
                    }
                    case "body" -> bodyN = bodyN(p, value);
                    default -> p.skipChildren();
                }
            }
        } catch (JacksonException e) {
            throw new IllegalArgumentException("frame is not valid JSON", e);
        }
        return new IncomingFrame(type, cid, id, seq, from, to, code, after, gapFrom, gapTo, bodyN);
    }

    private static long bodyN(JsonParser p, JsonToken value) {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return -1;
        }
        long n = -1;
        String name;
        while ((name = p.nextName()) != null) {
            p.nextToken();
            if (name.equals("n")) {
                n = p.getValueAsLong(-1);
            } else {
                p.skipChildren();
            }
        }
        return n;
    }
}
