package io.switchboard.gateway.dev;

import io.switchboard.auth.JwtSecret;
import io.switchboard.gateway.config.GatewayProperties;
import io.switchboard.presence.PresenceStore;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Local mode's extras on a gateway node: the development token endpoint, a presence lookup and the
 * agent console. Without {@code switchboard.local-mode=true} none of these beans exist, so the paths
 * are simply not there (404).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "switchboard.local-mode", havingValue = "true")
class LocalDevelopmentConfiguration {

    private static final Logger log = LoggerFactory.getLogger(LocalDevelopmentConfiguration.class);

    @Bean
    DevTokenIssuer devTokenIssuer(GatewayProperties properties) {
        return new DevTokenIssuer(JwtSecret.resolve(properties.jwt().secret(), true), Clock.systemUTC());
    }

    @Bean
    RouterFunction<ServerResponse> localDevelopmentRoutes(
            DevTokenIssuer issuer,
            PresenceStore presence,
            @Value("${switchboard.gateway.node-id:${server.port:}}") String nodeId) {
        ConsoleAssets console = ConsoleAssets.load(getClass().getClassLoader());
        if (console.isEmpty()) {
            log.warn("local mode: the console's files are missing from the class path; /console/ will be 404");
        }
        log.info(
                "local mode: development tokens at POST /dev/token, the agent console at {}",
                LocalDevelopmentRoutes.CONSOLE);
        return new LocalDevelopmentRoutes(issuer, presence, console, nodeId).routes();
    }
}
