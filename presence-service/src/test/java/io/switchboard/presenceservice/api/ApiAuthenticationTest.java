package io.switchboard.presenceservice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.auth.ApiRejections;
import io.switchboard.auth.JwtSettings;
import io.switchboard.presence.InMemoryPresenceStore;
import io.switchboard.presenceservice.config.PresenceProperties;
import io.switchboard.test.TestTokens;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.StatusAssertions;
import org.springframework.test.web.reactive.server.WebTestClient;

class ApiAuthenticationTest {

    private static final String KEY = "presence-test-api-key-0123456789";

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private WebTestClient client(PresenceProperties properties) {
        return WebTestClient.bindToController(
                        new PresenceController(new InMemoryPresenceStore(Clock.systemUTC()), properties))
                .webFilter(new ApiAuthentication().serviceAuthenticator(properties, meters))
                .build();
    }

    private static PresenceProperties configured(String secret, List<String> keys, boolean localMode) {
        return new PresenceProperties(
                null, null, null, new JwtSettings(secret, null), new PresenceProperties.Api(keys), localMode);
    }

    /** {@code GET /api/v1/presence/bob} with {@code credential} as the bearer. */
    private static StatusAssertions askAboutBob(WebTestClient client, String credential) {
        return client.get()
                .uri("/api/v1/presence/bob")
                .headers(h -> h.setBearerAuth(credential))
                .exchange()
                .expectStatus();
    }

    private final WebTestClient client = client(configured(TestTokens.SECRET, List.of(KEY), false));

    @Test
    void aCallWithoutCredentialIsRefusedWith401() {
        client.get()
                .uri("/api/v1/presence/bob")
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectHeader()
                .valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .expectBody()
                .jsonPath("$.code")
                .isEqualTo("unauthorized");
        assertThat(meters.counter(ApiRejections.METER, "reason", "unauthorized").count())
                .isEqualTo(1);
    }

    @Test
    void theApiCannotBeReachedUnderAnotherSpellingOfItsPath() {
        for (String path : List.of("/%61pi/v1/presence/bob", "/api;x/v1/presence/bob", "/api/v1;x/presence/bob")) {
            // a URI, not a template: a template would encode the % again
            client.get().uri(URI.create(path)).exchange().expectStatus().isUnauthorized();
        }
    }

    @Test
    void aUserTokenIsRefusedWith403AndAForgedOrExpiredOneWith401() {
        String user = TestTokens.mint(TestTokens.SECRET, "bob", Duration.ofMinutes(5));
        askAboutBob(client, user)
                .isForbidden()
                .expectBody()
                .jsonPath("$.code")
                .isEqualTo("service_credential_required");
        for (String bad : List.of(
                TestTokens.expired(TestTokens.SECRET, "backend"),
                TestTokens.signedWith("another-secret-of-at-least-32-bytes!!", "backend"),
                TestTokens.withAlgNone("backend"))) {
            askAboutBob(client, bad).isUnauthorized();
        }
    }

    @Test
    void aServiceTokenOrAnApiKeyGetsTheAnswer() {
        String service = TestTokens.service(TestTokens.SECRET, "backend", Duration.ofMinutes(5));
        for (String credential : List.of(service, KEY)) {
            askAboutBob(client, credential)
                    .isOk()
                    .expectBody()
                    .jsonPath("$.online")
                    .isEqualTo(false);
        }
        client.post()
                .uri("/api/v1/presence/query")
                .headers(h -> h.setBearerAuth(KEY))
                .header(HttpHeaders.CONTENT_TYPE, "application/json")
                .bodyValue("{\"users\":[\"bob\"]}")
                .exchange()
                .expectStatus()
                .isOk();
    }

    @Test
    void withApiKeysAndNoSecretOnlyTheKeysAreAccepted() {
        WebTestClient keysOnly = client(configured(null, List.of(KEY), false));
        askAboutBob(keysOnly, KEY).isOk();
        String service = TestTokens.service(TestTokens.SECRET, "backend", Duration.ofMinutes(5));
        askAboutBob(keysOnly, service).isUnauthorized();
    }

    @Test
    void theConfigurationPrintsWithoutItsSecrets() {
        assertThat(configured(TestTokens.SECRET, List.of(KEY), false).toString())
                .doesNotContain(TestTokens.SECRET)
                .doesNotContain(KEY)
                .contains("(set)", "1 configured");
    }

    @Test
    void outsideLocalModeAServiceWithNoCredentialToAcceptDoesNotStart() {
        assertThatThrownBy(() -> ApiAuthentication.verifier(configured(null, List.of(), false)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SWITCHBOARD_JWT_SECRET")
                .hasMessageContaining("SWITCHBOARD_API_KEYS");
        assertThat(ApiAuthentication.verifier(configured(null, List.of(), true)))
                .isNotNull();
    }
}
