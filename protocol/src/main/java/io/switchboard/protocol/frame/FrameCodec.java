package io.switchboard.protocol.frame;

import io.switchboard.protocol.Ids;
import io.switchboard.protocol.Json;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reads client frames and writes server frames as the JSON text of protocol v1. Stateless and
 * thread-safe.
 */
public final class FrameCodec {

    /**
     * Parses one text frame.
     *
     * @throws FrameException with the error code the client should see, if the frame is not valid
     */
    public ClientFrame decode(String text) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(text);
        } catch (JacksonException e) {
            throw new FrameException(ErrorCode.BAD_JSON, null, "frame is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new FrameException(ErrorCode.BAD_JSON, null, "frame must be a JSON object");
        }
        String cid = Json.string(root, "cid");
        JsonNode type = root.get("type");
        if (type == null || !type.isString()) {
            throw new FrameException(ErrorCode.UNKNOWN_TYPE, cid, "frame has no string field 'type'");
        }
        switch (type.asString()) {
            case "presence.subscribe":
                return new ClientFrame.PresenceSubscribe(users(root, "presence.subscribe", cid));
            case "presence.unsubscribe":
                return new ClientFrame.PresenceUnsubscribe(users(root, "presence.unsubscribe", cid));
            case "send":
                return decodeSend(root, cid);
            case "ping":
                return new ClientFrame.Ping();
            case "recv":
                return new ClientFrame.Recv(seqField(root, "recv", "seq"));
            case "sync":
                return new ClientFrame.Sync(seqField(root, "sync", "after"));
            default:
                throw new FrameException(ErrorCode.UNKNOWN_TYPE, cid, "unknown frame type");
        }
    }

    private static ClientFrame.Send decodeSend(JsonNode root, String cid) {
        if (cid == null) {
            throw new FrameException(ErrorCode.MISSING_FIELD, null, "'send' needs a string field 'cid'");
        }
        if (!Ids.isValidCid(cid)) {
            throw new FrameException(ErrorCode.BAD_FIELD, null, "'cid' must be 1-64 printable ASCII characters");
        }
        JsonNode to = root.get("to");
        if (to == null || !to.isString()) {
            throw new FrameException(ErrorCode.MISSING_FIELD, cid, "'send' needs a string field 'to'");
        }
        String group = Ids.groupOf(to.asString());
        if (group != null ? !Ids.isValidGroupId(group) : !Ids.isValidUserId(to.asString())) {
            throw new FrameException(ErrorCode.BAD_RECIPIENT, cid, "'to' is not a valid user id or group:<id>");
        }
        JsonNode body = root.get("body");
        if (body == null || body.isMissingNode()) {
            throw new FrameException(ErrorCode.MISSING_FIELD, cid, "'send' needs a field 'body'");
        }
        return new ClientFrame.Send(cid, to.asString(), Json.rawOf(body));
    }

    private static long seqField(JsonNode root, String type, String name) {
        JsonNode value = root.get(name);
        if (value == null || !value.isNumber()) {
            throw new FrameException(
                    ErrorCode.MISSING_FIELD, null, "'" + type + "' needs a number field '" + name + "'");
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 0) {
            throw new FrameException(ErrorCode.BAD_FIELD, null, "'" + name + "' must be a whole number >= 0");
        }
        return value.asLong();
    }

    /** Writes a server frame as JSON text. */
    public String encode(ServerFrame frame) {
        return Json.write(gen -> {
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
        });
    }

    /** Users one presence frame may name; a session's total is bounded by the gateway. */
    public static final int MAX_USERS_PER_FRAME = 1000;

    private static List<String> users(JsonNode root, String type, String cid) {
        JsonNode users = root.get("users");
        if (users == null || !users.isArray()) {
            throw new FrameException(ErrorCode.MISSING_FIELD, cid, "'" + type + "' needs an array field 'users'");
        }
        if (users.size() > MAX_USERS_PER_FRAME) {
            throw new FrameException(
                    ErrorCode.TOO_MANY_SUBSCRIPTIONS, cid, "at most " + MAX_USERS_PER_FRAME + " users per frame");
        }
        List<String> ids = new ArrayList<>(users.size());
        for (JsonNode user : users) {
            if (!user.isString() || !Ids.isValidUserId(user.asString())) {
                throw new FrameException(ErrorCode.BAD_FIELD, cid, "'users' must hold valid user ids");
            }
            ids.add(user.asString());
        }
        return List.copyOf(new LinkedHashSet<>(ids));
    }
}
