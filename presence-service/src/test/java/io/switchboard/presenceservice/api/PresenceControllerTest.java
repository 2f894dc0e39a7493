package io.switchboard.presenceservice.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.presence.InMemoryPresenceStore;
import io.switchboard.presence.PresenceSession;
import io.switchboard.presenceservice.config.PresenceProperties;
import io.switchboard.protocol.Json;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

class PresenceControllerTest {

    private final InMemoryPresenceStore store = new InMemoryPresenceStore(Clock.systemUTC());
    private final WebTestClient client = WebTestClient.bindToController(
                    new PresenceController(store, new PresenceProperties(null, null, null, null, null, false)))
            .build();

    private void connect(String user, String device, String sessionId, String node, long since) {
        store.register(new PresenceSession(user, device, sessionId, node, since), Duration.ofMinutes(1))
                .block();
    }

    @Test
    void showsEveryLiveSessionOfAUser() {
        long before = System.currentTimeMillis();
        connect("bob", "phone", "s1", "gw-1", 1000);
        connect("bob", "web", "s2", "gw-2", 2000);

        JsonNode body = Json.MAPPER.readTree(client.get()
                .uri("/api/v1/presence/bob")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody());

        assertThat(body.get("user").asString()).isEqualTo("bob");
        assertThat(body.get("online").asBoolean()).isTrue();
        assertThat(body.get("lastSeen").asLong()).isGreaterThanOrEqualTo(before);
        assertThat(body.get("sessions").toString())
                .isEqualTo("[{\"device\":\"phone\",\"node\":\"gw-1\",\"since\":1000},"
                        + "{\"device\":\"web\",\"node\":\"gw-2\",\"since\":2000}]");
    }

    @Test
    void aUserWithoutSessionsIsOfflineAndNeverSeen() {
        client.get()
                .uri("/api/v1/presence/carol")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .json("{\"user\":\"carol\",\"online\":false,\"lastSeen\":null,\"sessions\":[]}");
    }

    @Test
    void anInvalidUserIdIsABadRequestWithACode() {
        client.get()
                .uri("/api/v1/presence/not a user")
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .json("{\"code\":\"bad_user_id\"}");
    }

    @Test
    void aQueryAnswersAThousandUsersInTheOrderAsked() {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            users.add("user-" + i);
            if (i % 2 == 0) {
                connect("user-" + i, "d", "s-" + i, "gw-1", i);
            }
        }

        JsonNode body = Json.MAPPER.readTree(client.post()
                .uri("/api/v1/presence/query")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Json.MAPPER.writeValueAsString(java.util.Map.of("users", users)))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody());

        JsonNode answers = body.get("users");
        assertThat(answers.size()).isEqualTo(1000);
        for (int i = 0; i < 1000; i++) {
            assertThat(answers.get(i).get("user").asString()).isEqualTo("user-" + i);
            assertThat(answers.get(i).get("online").asBoolean()).isEqualTo(i % 2 == 0);
        }
    }

    @Test
    void aQueryOfMoreThanAThousandUsersIsRefusedWithAStableCode() {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            users.add("user-" + i);
        }
        client.post()
                .uri("/api/v1/presence/query")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Json.MAPPER.writeValueAsString(java.util.Map.of("users", users)))
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .json("{\"code\":\"too_many_users\"}");
    }

    @Test
    void aMalformedQueryIsABadRequest() {
        for (String body : List.of("not json", "{}", "{\"users\":[\"ok\",\"not ok\"]}")) {
            client.post()
                    .uri("/api/v1/presence/query")
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(body)
                    .exchange()
                    .expectStatus()
                    .isBadRequest()
                    .expectBody()
                    .jsonPath("$.code")
                    .exists();
        }
    }

    @Test
    void theRunningServiceServesItsOpenApiContract() {
        String spec = WebTestClient.bindToController(new OpenApiController())
                .build()
                .get()
                .uri("/openapi/presence.yaml")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();

        assertThat(spec).startsWith("openapi: 3").contains("/api/v1/presence/query", "too_many_users");
    }
}
