package io.switchboard.suite;

import io.switchboard.protocol.Json;
import io.switchboard.test.TestTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** The gateway's HTTP API for backends, as a backend calls it. */
final class BackendApi {

    /** An API key the tests configure ({@code switchboard.api.keys}). */
    static final String API_KEY = "test-api-key-0123456789";

    private static final HttpClient http = HttpClient.newHttpClient();

    private final String base;
    private final String credential;

    /** Calls gateway node {@code node} with {@code credential} (null: none). */
    BackendApi(Suite suite, int node, String credential) {
        this.base = "http://127.0.0.1:" + suite.gatewayPorts().get(node);
        this.credential = credential;
    }

    /** With the test API key. */
    static BackendApi withKey(Suite suite, int node) {
        return new BackendApi(suite, node, API_KEY);
    }

    static String serviceToken() {
        return TestTokens.service(TestTokens.SECRET, "billing-backend", Duration.ofMinutes(10));
    }

    /** An HTTP answer: its status and JSON body (null when empty). */
    record Answer(int status, JsonNode body) {
        String code() {
            return body == null || body.get("code") == null
                    ? null
                    : body.get("code").asString();
        }
    }

    Answer publish(String from, List<String> to, String body, String cid) {
        return post(
                "/api/v1/messages",
                "{\"from\":\"" + from + "\",\"to\":" + Json.MAPPER.writeValueAsString(to) + ",\"body\":" + body
                        + ",\"cid\":\"" + cid + "\"}");
    }

    Answer broadcast(String body) {
        return post("/api/v1/broadcast", "{\"body\":" + body + "}");
    }

    Answer createGroup(String id, List<String> members) {
        return post("/api/v1/groups", Json.MAPPER.writeValueAsString(Map.of("id", id, "members", members)));
    }

    Answer addMembers(String id, List<String> users) {
        return post("/api/v1/groups/" + id + "/members", Json.MAPPER.writeValueAsString(Map.of("users", users)));
    }

    Answer removeMember(String id, String user) {
        return call(request("/api/v1/groups/" + id + "/members/" + user).DELETE());
    }

    Answer deleteGroup(String id) {
        return call(request("/api/v1/groups/" + id).DELETE());
    }

    Answer members(String id) {
        return call(request("/api/v1/groups/" + id + "/members").GET());
    }

    Answer post(String path, String json) {
        return post(path, json, "application/json");
    }

    /** With the given {@code Content-Type}, or none if {@code contentType} is null. */
    Answer post(String path, String json, String contentType) {
        HttpRequest.Builder request = request(path).POST(HttpRequest.BodyPublishers.ofString(json));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return call(request);
    }

    Answer get(String path) {
        return call(request(path).GET());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (credential != null) {
            builder.header("Authorization", "Bearer " + credential);
        }
        return builder;
    }

    private static Answer call(HttpRequest.Builder request) {
        try {
            var response = http.send(request.build(), BodyHandlers.ofString());
            String text = response.body();
            return new Answer(
                    response.statusCode(), text == null || text.isEmpty() ? null : Json.MAPPER.readTree(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
