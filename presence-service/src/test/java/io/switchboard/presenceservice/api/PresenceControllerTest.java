package io.switchboard.presenceservice.api;

import io.switchboard.presence.InMemoryPresenceStore;
import io.switchboard.presence.PresenceSession;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.test.web.reactive.server.WebTestClient;

class PresenceControllerTest {

    private final InMemoryPresenceStore store = new InMemoryPresenceStore(Clock.systemUTC());
    private final WebTestClient client =
            WebTestClient.bindToController(new PresenceController(store)).build();

    @Test
    void showsEveryLiveSessionOfAUser() {
        store.register(new PresenceSession("bob", "phone", "s1", "gw-1", 1000), Duration.ofMinutes(1))
                .block();
        store.register(new PresenceSession("bob", "web", "s2", "gw-2", 2000), Duration.ofMinutes(1))
                .block();

        client.get()
                .uri("/api/v1/presence/bob")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .json("""
                        {"user":"bob","online":true,"sessions":[
                          {"device":"phone","node":"gw-1","since":1000},
                          {"device":"web","node":"gw-2","since":2000}]}
                        """);
    }

    @Test
    void aUserWithoutSessionsIsOffline() {
        client.get()
                .uri("/api/v1/presence/carol")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .json("{\"user\":\"carol\",\"online\":false,\"sessions\":[]}");
    }

    @Test
    void anInvalidUserIdIsABadRequest() {
        client.get()
                .uri("/api/v1/presence/not a user")
                .exchange()
                .expectStatus()
                .isBadRequest();
    }
}
