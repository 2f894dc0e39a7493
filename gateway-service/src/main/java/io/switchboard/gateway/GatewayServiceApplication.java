package io.switchboard.gateway;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * gateway-service: holds clients' WebSocket sessions, authenticates them, runs heartbeats, accepts
 * their messages into Kafka and pushes the deliveries routed to this node.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayServiceApplication {

    public static void main(String[] args) {
        builder().run(args);
    }

    /**
     * The application as {@code main} runs it. Its configuration file is {@code gateway-service.yml}, not
     * {@code application.yml}, so that the services can share one classpath (the local suite).
     */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(GatewayServiceApplication.class)
                .properties("spring.config.name=gateway-service");
    }
}
