package io.switchboard.auth;

import java.time.Duration;

/**
 * {@code switchboard.jwt.*}, the same on every service that checks tokens.
 *
 * @param secret the HS256 secret shared with whoever issues tokens, at least 32 bytes
 *     ({@code SWITCHBOARD_JWT_SECRET}); see {@link JwtSecret#resolve} for when it is required
 * @param clockSkew tolerance when checking {@code exp}; default 0s
 */
public record JwtSettings(String secret, Duration clockSkew) {

    public JwtSettings {
        clockSkew = clockSkew == null ? Duration.ZERO : clockSkew;
    }

    /** Nothing configured: no secret, no skew. */
    public static JwtSettings unset() {
        return new JwtSettings(null, null);
    }

    /** Never the secret: records print every field, and configuration ends up in logs. */
    @Override
    public String toString() {
        return "JwtSettings[secret=" + (secret == null || secret.isBlank() ? "unset" : "(set)") + ", clockSkew="
                + clockSkew + "]";
    }
}
