package io.switchboard.presenceservice.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.auth.ApiRejections;
import io.switchboard.auth.JwtSecret;
import io.switchboard.auth.ServiceAuthenticator;
import io.switchboard.auth.TokenVerifier;
import io.switchboard.presenceservice.config.PresenceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.lang.Nullable;

/**
 * Only services may ask who is online: the HTTP API ({@code /api/...}) takes the same credentials as
 * the gateways' HTTP API, an API key or a JWT with {@code "role":"service"} signed with the shared
 * secret. Refusals are 401 {@code unauthorized} or 403 {@code service_credential_required} with the
 * API's usual error body, counted in {@code switchboard.api.rejected} by reason. Health, metrics and
 * the API contract stay open to the orchestrator and the scraper.
 */
@Configuration(proxyBeanMethods = false)
class ApiAuthentication {

    @Bean
    ServiceAuthenticator serviceAuthenticator(PresenceProperties properties, MeterRegistry meters) {
        return new ServiceAuthenticator(
                properties.api().keys(), verifier(properties), new ApiRejections(meters)::reject);
    }

    /**
     * Checks service tokens against the configured secret (in local mode, the built-in development
     * one when none is set); null, API keys only, when no secret is configured but keys are.
     *
     * @throws IllegalStateException outside local mode when neither a secret nor a key is configured:
     *     the API would have no credential to accept
     */
    @Nullable
    static TokenVerifier verifier(PresenceProperties properties) {
        String secret = properties.jwt().secret();
        boolean unset = secret == null || secret.isBlank();
        if (unset && !properties.localMode()) {
            if (properties.api().keys().isEmpty()) {
                throw new IllegalStateException("presence-service's HTTP API needs a credential to accept: set"
                        + " SWITCHBOARD_JWT_SECRET (the gateways' secret, for service tokens), SWITCHBOARD_API_KEYS,"
                        + " or both (docs/presence.md#authentication)");
            }
            return null;
        }
        return new TokenVerifier(
                JwtSecret.resolve(secret, properties.localMode()),
                properties.jwt().clockSkew());
    }
}
