package io.switchboard.gateway.api;

import io.switchboard.protocol.Ids;
import io.switchboard.protocol.Json;
import io.switchboard.protocol.JsonObjectReader;
import io.switchboard.protocol.RawJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reads request bodies of the HTTP API with the protocol's own JSON rules (so a body accepted here is
 * valid everywhere downstream, nesting limit included) and refuses bad fields with stable codes.
 */
public final class ApiJson {

    private ApiJson() {}

    /** The request as a JSON object; {@code bad_json} otherwise. */
    public static JsonNode object(byte[] request) {
        JsonNode root;
        try {
            root = request == null || request.length == 0 ? null : Json.MAPPER.readTree(request);
        } catch (JacksonException e) {
            throw ApiException.badRequest(
                    "bad_json", "the request is not valid JSON (or nests deeper than " + Json.MAX_NESTING_DEPTH + ")");
        }
        if (root == null || !root.isObject()) {
            throw ApiException.badRequest("bad_json", "the request must be a JSON object");
        }
        return root;
    }

    /** A required user id field; {@code code} when missing or not a valid user id. */
    public static String userId(JsonNode root, String field, String code) {
        String value = Json.string(root, field);
        if (!Ids.isValidUserId(value)) {
            throw ApiException.badRequest(code, "'" + field + "' must be a user id: 1-128 of [A-Za-z0-9._@:-]");
        }
        return value;
    }

    /**
     * A required array of user ids, duplicates removed (first occurrence kept), at most {@code max}.
     * Codes: {@code emptyCode} for a missing array (or an empty one, unless {@code mayBeEmpty}),
     * {@code tooManyCode} beyond {@code max}, {@code badCode} for an entry that is not a user id.
     */
    public static List<String> userIds(
            JsonNode root,
            String field,
            int max,
            boolean mayBeEmpty,
            String emptyCode,
            String tooManyCode,
            String badCode) {
        JsonNode array = root.get(field);
        if (array == null || !array.isArray() || (!mayBeEmpty && array.isEmpty())) {
            throw ApiException.badRequest(
                    emptyCode,
                    "'" + field + "' must be " + (mayBeEmpty ? "an array" : "a non-empty array") + " of user ids");
        }
        if (array.size() > max) {
            throw ApiException.badRequest(tooManyCode, "at most " + max + " entries in '" + field + "'");
        }
        LinkedHashSet<String> ids = new LinkedHashSet<>(array.size() * 2);
        int index = 0;
        for (JsonNode entry : array) {
            if (!entry.isString() || !Ids.isValidUserId(entry.asString())) {
                throw ApiException.badRequest(
                        badCode, "'" + field + "'[" + index + "] is not a user id: 1-128 of [A-Za-z0-9._@:-]");
            }
            ids.add(entry.asString());
            index++;
        }
        return new ArrayList<>(ids);
    }

    /**
     * A required {@code body} of any JSON value, at most {@code maxBytes} as UTF-8 JSON text, kept
     * exactly as the request spelled it ({@code root} is the request as read by {@link #object}).
     */
    public static RawJson body(byte[] request, JsonNode root, int maxBytes) {
        JsonNode body = root.get("body");
        if (body == null || body.isMissingNode()) {
            throw ApiException.badRequest("missing_body", "'body' is required (any JSON value)");
        }
        RawJson raw = rawField(request, "body");
        // chars <= bytes, so the exact count is needed only near the limit
        if (raw.length() > maxBytes / 3 && raw.json().getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            throw ApiException.badRequest("body_too_large", "'body' is limited to " + maxBytes + " bytes of JSON");
        }
        return raw;
    }

    /** The last value of a top-level field as text (the tree keeps the last of a repeated field too). */
    private static RawJson rawField(byte[] request, String field) {
        RawJson value = null;
        try (JsonObjectReader reader = JsonObjectReader.of(request)) {
            reader.startObject();
            for (String name = reader.nextField(); name != null; name = reader.nextField()) {
                if (name.equals(field)) {
                    value = reader.rawValue();
                }
            }
        }
        return value;
    }

    /** A required {@code cid}: 1-64 printable ASCII characters. */
    public static String cid(JsonNode root) {
        String cid = Json.string(root, "cid");
        if (!Ids.isValidCid(cid)) {
            throw ApiException.badRequest(
                    "bad_cid", "'cid' (the idempotency key) must be 1-64 printable ASCII characters");
        }
        return cid;
    }
}
