package io.switchboard.gateway.config;

import io.micrometer.observation.ObservationPredicate;
import io.switchboard.gateway.auth.HandshakeAuthenticator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;

/**
 * Leaves WebSocket upgrades out of the {@code http.server.requests} observation. A WebSocket request
 * lasts as long as its connection, so the observation would hold a context per open session (memory
 * on every idle connection) and time connection lifetimes as if they were requests. Sessions have
 * their own meters ({@code switchboard.sessions.*}).
 */
@Configuration(proxyBeanMethods = false)
class WebSocketObservations {

    @Bean
    ObservationPredicate noWebSocketRequestObservations() {
        return (name, context) -> !(context instanceof ServerRequestObservationContext request
                && HandshakeAuthenticator.PATH.equals(
                        request.getCarrier().getPath().pathWithinApplication().value()));
    }
}
