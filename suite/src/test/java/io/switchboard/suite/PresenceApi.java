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

/** The presence HTTP API of a running suite, as a backend calls it: with a service token. */
final class PresenceApi {

    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private final String credential = TestTokens.service(TestTokens.SECRET, "backend", Duration.ofHours(1));

    PresenceApi(Suite suite) {
        this.base = "http://127.0.0.1:" + suite.port("presence") + "/api/v1/presence/";
    }

    /** {@code GET /api/v1/presence/{user}}. */
    JsonNode presence(String user) {
        return send(HttpRequest.newBuilder(URI.create(base + user)));
    }

    /** The number of live sessions {@code user} has. */
    int sessions(String user) {
        return presence(user).get("sessions").size();
    }

    boolean online(String user) {
        return presence(user).get("online").asBoolean();
    }

    /** {@code POST /api/v1/presence/query}. */
    JsonNode query(List<String> users) {
        return send(HttpRequest.newBuilder(URI.create(base + "query"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(Map.of("users", users)))));
    }

    private JsonNode send(HttpRequest.Builder request) {
        try {
            return Json.MAPPER.readTree(http.send(
                            request.header("Authorization", "Bearer " + credential)
                                    .build(),
                            BodyHandlers.ofString())
                    .body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
