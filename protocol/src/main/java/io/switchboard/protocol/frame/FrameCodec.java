package io.switchboard.protocol.frame;

import io.switchboard.protocol.Ids;
import io.switchboard.protocol.Json;
import io.switchboard.protocol.JsonObjectReader;
import io.switchboard.protocol.RawJson;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Reads client frames and writes server frames as the JSON text of protocol v1. Stateless and
 * thread-safe.
 */
public final class FrameCodec {

    /**
     * Parses one text frame. Read field by field with a streaming parser; a {@code send}'s body is
     * kept as the exact text the client sent.
     *
     * @throws FrameException with the error code the client should see, if the frame is not valid
     */
    public ClientFrame decode(String text) {
        Fields f = new Fields();
        try (JsonObjectReader reader = JsonObjectReader.of(text)) {
            if (!reader.startObject()) {
                throw new FrameException(ErrorCode.BAD_JSON, null, "frame must be a JSON object");
            }
            for (String name = reader.nextField(); name != null; name = reader.nextField()) {
                f.read(name, reader);
            }
        } catch (JacksonException e) {
            throw new FrameException(ErrorCode.BAD_JSON, null, "frame is not valid JSON");
        }
        if (f.type == null) {
            throw new FrameException(ErrorCode.UNKNOWN_TYPE, f.cid, "frame has no string field 'type'");
        }
        switch (f.type) {
            case "presence.subscribe":
                return new ClientFrame.PresenceSubscribe(users(f, "presence.subscribe"));
            case "presence.unsubscribe":
                return new ClientFrame.PresenceUnsubscribe(users(f, "presence.unsubscribe"));
            case "send":
                return decodeSend(f);
            case "ping":
                return new ClientFrame.Ping();
            case "recv":
                return new ClientFrame.Recv(seqField(f.seq, "recv", "seq"));
            case "sync":
                return new ClientFrame.Sync(seqField(f.after, "sync", "after"));
            default:
                throw new FrameException(ErrorCode.UNKNOWN_TYPE, f.cid, "unknown frame type");
        }
    }

    private static ClientFrame.Send decodeSend(Fields f) {
        String cid = f.cid;
        if (cid == null) {
            throw new FrameException(ErrorCode.MISSING_FIELD, null, "'send' needs a string field 'cid'");
        }
        if (!Ids.isValidCid(cid)) {
            throw new FrameException(ErrorCode.BAD_FIELD, null, "'cid' must be 1-64 printable ASCII characters");
        }
        String to = f.to;
        if (to == null) {
            throw new FrameException(ErrorCode.MISSING_FIELD, cid, "'send' needs a string field 'to'");
        }
        String group = Ids.groupOf(to);
        if (group != null ? !Ids.isValidGroupId(group) : !Ids.isValidUserId(to)) {
            throw new FrameException(ErrorCode.BAD_RECIPIENT, cid, "'to' is not a valid user id or group:<id>");
        }
        if (f.body == null) {
            throw new FrameException(ErrorCode.MISSING_FIELD, cid, "'send' needs a field 'body'");
        }
        return new ClientFrame.Send(cid, to, f.body);
    }

    private static long seqField(NumberField value, String type, String name) {
        if (value == null) {
            throw new FrameException(
                    ErrorCode.MISSING_FIELD, null, "'" + type + "' needs a number field '" + name + "'");
        }
        if (!value.whole() || value.value() < 0) {
            throw new FrameException(ErrorCode.BAD_FIELD, null, "'" + name + "' must be a whole number >= 0");
        }
        return value.value();
    }

    /** A number field as read: {@code whole} if it is an integer that fits a {@code long}. */
    private record NumberField(long value, boolean whole) {

        private static final NumberField NOT_WHOLE = new NumberField(0, false);

        /** The current value as a number, or {@code null} if it is not one. */
        static NumberField read(JsonObjectReader reader) {
            JsonToken token = reader.token();
            if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
                return null;
            }
            return reader.isLong() ? new NumberField(reader.longValue(), true) : NOT_WHOLE;
        }
    }

    /** The fields of a client frame as read, in any order; checked once the type is known. */
    private static final class Fields {
        String type;
        String cid;
        String to;
        RawJson body;
        NumberField seq;
        NumberField after;
        /** {@code null}: absent or not an array. */
        List<String> users;

        boolean usersValid;

        void read(String name, JsonObjectReader reader) {
            switch (name) {
                case "type" -> type = reader.stringOrNull();
                case "cid" -> cid = reader.stringOrNull();
                case "to" -> to = reader.stringOrNull();
                case "body" -> body = reader.rawValue();
                case "seq" -> seq = NumberField.read(reader);
                case "after" -> after = NumberField.read(reader);
                case "users" -> readUsers(reader);
                default -> {
                    // other fields (a client's "from", say) are ignored
                }
            }
        }

        private void readUsers(JsonObjectReader reader) {
            users = null;
            usersValid = true;
            if (reader.token() != JsonToken.START_ARRAY) {
                return;
            }
            users = new ArrayList<>();
            JsonParser parser = reader.parser();
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
                if (token == JsonToken.VALUE_STRING) {
                    users.add(parser.getString());
                } else {
                    usersValid = false;
                    users.add(null); // counts toward the limit like any element
                    parser.skipChildren();
                }
            }
        }
    }

    /** Writes a server frame as the UTF-8 bytes of its JSON text (what a WebSocket text frame carries). */
    public byte[] encodeUtf8(ServerFrame frame) {
        return Json.writeUtf8(gen -> write(gen, frame));
    }

    private static void write(JsonGenerator gen, ServerFrame frame) {
        gen.writeStartObject();
        if (frame instanceof ServerFrame.Presence p) {
            gen.writeStringProperty("type", "presence");
            gen.writeStringProperty("user", p.user());
            gen.writeBooleanProperty("online", p.online());
            gen.writeNumberProperty("at", p.at());
            gen.writeNumberProperty("lastSeen", p.lastSeen());
        } else if (frame instanceof ServerFrame.Msg m) {
            gen.writeStringProperty("type", "msg");
            gen.writeStringProperty("id", m.id());
            gen.writeNumberProperty("seq", m.seq());
            gen.writeStringProperty("from", m.from());
            gen.writeStringProperty("to", m.to());
            gen.writeNumberProperty("ts", m.ts());
            Json.raw(gen, "body", m.body());
        } else if (frame instanceof ServerFrame.Ack a) {
            gen.writeStringProperty("type", "ack");
            gen.writeStringProperty("cid", a.cid());
            gen.writeStringProperty("id", a.id());
        } else if (frame instanceof ServerFrame.Welcome w) {
            gen.writeStringProperty("type", "welcome");
            gen.writeStringProperty("user", w.user());
            gen.writeStringProperty("device", w.device());
            gen.writeStringProperty("session", w.session());
            gen.writeNumberProperty("after", w.after());
        } else if (frame instanceof ServerFrame.Error e) {
            gen.writeStringProperty("type", "error");
            Json.optionalString(gen, "cid", e.cid());
            gen.writeStringProperty("code", e.code().wire());
            gen.writeStringProperty("message", e.message());
        } else if (frame instanceof ServerFrame.Gap g) {
            gen.writeStringProperty("type", "gap");
            gen.writeNumberProperty("from", g.from());
            gen.writeNumberProperty("to", g.to());
        } else if (frame instanceof ServerFrame.Synced s) {
            gen.writeStringProperty("type", "synced");
            gen.writeNumberProperty("upTo", s.upTo());
        } else if (frame instanceof ServerFrame.Broadcast b) {
            gen.writeStringProperty("type", "broadcast");
            gen.writeStringProperty("id", b.id());
            gen.writeStringProperty("from", b.from());
            gen.writeNumberProperty("ts", b.ts());
            Json.raw(gen, "body", b.body());
        } else if (frame instanceof ServerFrame.Pong) {
            gen.writeStringProperty("type", "pong");
        } else {
            throw new IllegalArgumentException("unknown frame " + frame.getClass());
        }
        gen.writeEndObject();
    }

    /** Users one presence frame may name; a session's total is bounded by the gateway. */
    public static final int MAX_USERS_PER_FRAME = 1000;

    private static List<String> users(Fields f, String type) {
        if (f.users == null) {
            throw new FrameException(ErrorCode.MISSING_FIELD, f.cid, "'" + type + "' needs an array field 'users'");
        }
        if (f.users.size() > MAX_USERS_PER_FRAME) {
            throw new FrameException(
                    ErrorCode.TOO_MANY_SUBSCRIPTIONS, f.cid, "at most " + MAX_USERS_PER_FRAME + " users per frame");
        }
        LinkedHashSet<String> ids = new LinkedHashSet<>();
        for (String user : f.users) {
            if (!f.usersValid || !Ids.isValidUserId(user)) {
                throw new FrameException(ErrorCode.BAD_FIELD, f.cid, "'users' must hold valid user ids");
            }
            ids.add(user);
        }
        return List.copyOf(ids);
    }
}
