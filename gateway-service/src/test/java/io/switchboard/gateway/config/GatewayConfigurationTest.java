package io.switchboard.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.auth.JwtSecret;
import io.switchboard.auth.JwtSettings;
import io.switchboard.auth.TokenVerifier;
import io.switchboard.gateway.api.ApiProperties;
import io.switchboard.redis.RedisSettings;
import io.switchboard.test.TestTokens;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatewayConfigurationTest {

    private final GatewayConfiguration configuration = new GatewayConfiguration();

    private static GatewayProperties properties(String secret, boolean localMode) {
        return new GatewayProperties(new JwtSettings(secret, null), null, null, null, null, null, localMode);
    }

    @Test
    void outsideLocalModeAGatewayWithoutASecretRefusesToStartAndSaysWhatToSet() {
        assertThatThrownBy(() -> configuration.tokenVerifier(properties(null, false)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SWITCHBOARD_JWT_SECRET");
        assertThatThrownBy(() -> configuration.tokenVerifier(properties("  ", false)))
                .hasMessageContaining("SWITCHBOARD_JWT_SECRET");
    }

    @Test
    void outsideLocalModeTheBuiltInDevelopmentSecretIsRefusedEvenWhenConfigured() {
        assertThatThrownBy(() -> configuration.tokenVerifier(properties(JwtSecret.LOCAL_DEVELOPMENT, false)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("public");
        assertThat(configuration.tokenVerifier(properties(JwtSecret.LOCAL_DEVELOPMENT, true)))
                .isNotNull();
    }

    @Test
    void aSecretShorterThan32BytesIsRefused() {
        assertThatThrownBy(() -> configuration.tokenVerifier(properties("short", false)))
                .hasMessageContaining("32 bytes");
    }

    @Test
    void localModeRunsWithTheDevelopmentSecret() throws Exception {
        TokenVerifier verifier = configuration.tokenVerifier(properties(null, true));

        String token = TestTokens.mint(JwtSecret.LOCAL_DEVELOPMENT, "alice", Duration.ofMinutes(1));
        assertThat(verifier.verify(token)).isEqualTo("alice");
    }

    @Test
    void aConfiguredSecretWinsEvenInLocalMode() throws Exception {
        TokenVerifier verifier = configuration.tokenVerifier(properties(TestTokens.SECRET, true));

        assertThat(verifier.verify(TestTokens.mint(TestTokens.SECRET, "bob", Duration.ofMinutes(1))))
                .isEqualTo("bob");
    }

    @Test
    void heartbeatTimeoutMustExceedTheInterval() {
        assertThatThrownBy(() -> new GatewayProperties.Heartbeat(Duration.ofSeconds(10), Duration.ofSeconds(5)))
                .hasMessageContaining("switchboard.heartbeat.timeout");
    }

    @Test
    void configurationPrintsNoSecret() {
        String secret = "a-secret-of-at-least-32-bytes-0123456789";
        String key = "an-api-key-0123456789";
        assertThat(properties(secret, false).toString()).doesNotContain(secret).contains("(set)");
        assertThat(new ApiProperties(List.of(key), 0, 0, 0, 0, 0, 0, 0).toString())
                .doesNotContain(key)
                .contains("keys=1 configured");
        assertThat(new RedisSettings("redis://user:pa55word@redis:6379").toString())
                .doesNotContain("pa55word")
                .doesNotContain("user")
                .contains("redis://***@redis:6379");
    }
}
