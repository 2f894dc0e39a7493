package io.switchboard.gateway.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.auth.JwtSecret;
import io.switchboard.auth.TokenVerifier;
import io.switchboard.gateway.config.GatewayProperties;
import io.switchboard.presence.InMemoryPresenceStore;
import io.switchboard.presence.PresenceSession;
import io.switchboard.presence.PresenceStore;
import io.switchboard.protocol.Json;
import io.switchboard.test.TestTokens;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.http.codec.autoconfigure.CodecsAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.webflux.autoconfigure.HttpHandlerAutoConfiguration;
import org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * The local-mode endpoints in a real WebFlux application context, switched by the same property the
 * gateway uses: there in local mode, 404 everywhere else.
 */
class LocalDevelopmentEndpointsTest {

    private static final PresenceStore PRESENCE = new InMemoryPresenceStore(Clock.systemUTC());

    private final ReactiveWebApplicationContextRunner runner = new ReactiveWebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    WebFluxAutoConfiguration.class,
                    HttpHandlerAutoConfiguration.class,
                    JacksonAutoConfiguration.class,
                    CodecsAutoConfiguration.class))
            .withUserConfiguration(GatewayBeans.class, LocalDevelopmentConfiguration.class);

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(GatewayProperties.class)
    static class GatewayBeans {
        @Bean
        PresenceStore presenceStore() {
            return PRESENCE;
        }
    }

    private void withClient(String[] properties, Consumer<WebTestClient> test) {
        runner.withPropertyValues(properties).run(context -> test.accept(client(context)));
    }

    private static WebTestClient client(ApplicationContext context) {
        return WebTestClient.bindToApplicationContext(context).build();
    }

    @Test
    void localModeMintsAOneHourTokenThatTheGatewayAccepts() {
        withClient(new String[] {"switchboard.local-mode=true", "switchboard.gateway.node-id=gw-7"}, client -> {
            long before = System.currentTimeMillis();
            byte[] body = client.post()
                    .uri("/dev/token")
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"user\":\"alice\"}")
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectHeader()
                    .cacheControl(org.springframework.http.CacheControl.noStore())
                    .expectBody()
                    .returnResult()
                    .getResponseBody();
            JsonNode answer = Json.MAPPER.readTree(body);

            assertThat(answer.get("user").asString()).isEqualTo("alice");
            assertThat(answer.get("node").asString()).isEqualTo("gw-7");
            long expiresAt = answer.get("expiresAt").asLong();
            assertThat(expiresAt - before)
                    .isBetween(
                            Duration.ofMinutes(59).toMillis(),
                            Duration.ofMinutes(61).toMillis());
            TokenVerifier gateway = new TokenVerifier(JwtSecret.LOCAL_DEVELOPMENT, Duration.ZERO);
            assertThat(verify(gateway, answer.get("token").asString())).isEqualTo("alice");
        });
    }

    @Test
    void aConfiguredSecretSignsTheDevelopmentTokens() {
        withClient(
                new String[] {"switchboard.local-mode=true", "switchboard.jwt.secret=" + TestTokens.SECRET}, client -> {
                    JsonNode answer = Json.MAPPER.readTree(client.post()
                            .uri("/dev/token")
                            .bodyValue("{\"user\":\"bob\"}")
                            .exchange()
                            .expectStatus()
                            .isOk()
                            .expectBody()
                            .returnResult()
                            .getResponseBody());

                    TokenVerifier gateway = new TokenVerifier(TestTokens.SECRET, Duration.ZERO);
                    assertThat(verify(gateway, answer.get("token").asString())).isEqualTo("bob");
                });
    }

    @Test
    void anInvalidUserNameIsRefusedWithACode() {
        withClient(new String[] {"switchboard.local-mode=true"}, client -> {
            for (String body : new String[] {"{\"user\":\"no spaces\"}", "{}", "not json", ""}) {
                client.post()
                        .uri("/dev/token")
                        .bodyValue(body)
                        .exchange()
                        .expectStatus()
                        .isBadRequest()
                        .expectBody()
                        .jsonPath("$.code")
                        .isEqualTo("bad_user");
            }
        });
    }

    @Test
    void localModeTellsWhoIsOnline() {
        PresenceSession bob = new PresenceSession("bob-presence", "console", "s-1", "gw-2", 0);
        PRESENCE.register(bob, Duration.ofMinutes(1)).block();
        try {
            withClient(
                    new String[] {"switchboard.local-mode=true"},
                    client -> client.get()
                            .uri("/dev/presence?users=bob-presence,carol-presence")
                            .exchange()
                            .expectStatus()
                            .isOk()
                            .expectBody()
                            .json("[{\"user\":\"bob-presence\",\"online\":true,\"sessions\":1},"
                                    + "{\"user\":\"carol-presence\",\"online\":false,\"sessions\":0}]"));
        } finally {
            PRESENCE.unregister(bob).block();
        }
    }

    @Test
    void localModeServesTheConsole() {
        withClient(new String[] {"switchboard.local-mode=true"}, client -> {
            client.get().uri("/console").exchange().expectStatus().isPermanentRedirect();
            String page = client.get()
                    .uri("/console/")
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectHeader()
                    .contentTypeCompatibleWith(MediaType.TEXT_HTML)
                    .expectBody(String.class)
                    .returnResult()
                    .getResponseBody();
            assertThat(page).contains("<title>Switchboard");
            client.get()
                    .uri("/console/no-such-file.js")
                    .exchange()
                    .expectStatus()
                    .isNotFound();
        });
    }

    @Test
    void outsideLocalModeNoneOfItExists() {
        for (String[] properties :
                new String[][] {{"switchboard.jwt.secret=" + TestTokens.SECRET}, {"switchboard.local-mode=false"}}) {
            withClient(properties, client -> {
                client.post()
                        .uri("/dev/token")
                        .bodyValue("{\"user\":\"alice\"}")
                        .exchange()
                        .expectStatus()
                        .isNotFound();
                client.get()
                        .uri("/dev/presence?users=bob")
                        .exchange()
                        .expectStatus()
                        .isNotFound();
                client.get().uri("/console/").exchange().expectStatus().isNotFound();
            });
        }
    }

    private static String verify(TokenVerifier verifier, String token) {
        try {
            return verifier.verify(token);
        } catch (Exception e) {
            throw new AssertionError("the gateway refused the development token: " + e.getMessage());
        }
    }
}
