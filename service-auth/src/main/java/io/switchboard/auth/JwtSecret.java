package io.switchboard.auth;

/**
 * Which HS256 secret a service verifies tokens with (and, in local mode, signs development
 * tokens with): the configured one, or in local mode only a built-in development secret.
 */
public final class JwtSecret {

    /** Used only in local mode when no secret is configured; known to everyone, so never safe elsewhere. */
    public static final String LOCAL_DEVELOPMENT = "switchboard-local-development-secret-do-not-use-in-production";

    private JwtSecret() {}

    /**
     * @param configured {@code switchboard.jwt.secret}, may be null or blank
     * @param localMode {@code switchboard.local-mode}
     * @throws IllegalStateException outside local mode when no secret is configured, or the
     *     development secret is (it is published in this code: anyone could sign tokens with it)
     */
    public static String resolve(String configured, boolean localMode) {
        if (configured != null && !configured.isBlank()) {
            if (!localMode && configured.equals(LOCAL_DEVELOPMENT)) {
                throw new IllegalStateException("SWITCHBOARD_JWT_SECRET is the built-in development secret, which is"
                        + " public: anyone could sign tokens with it. Set your token issuer's own secret.");
            }
            return configured;
        }
        if (!localMode) {
            throw new IllegalStateException("No JWT secret configured. Set SWITCHBOARD_JWT_SECRET (at least "
                    + TokenVerifier.MIN_SECRET_BYTES + " bytes) to the HS256 secret your token issuer uses. "
                    + "(Only local mode, switchboard.local-mode=true, runs without one.)");
        }
        return LOCAL_DEVELOPMENT;
    }
}
