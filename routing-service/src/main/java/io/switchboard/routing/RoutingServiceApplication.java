package io.switchboard.routing;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** routing-service: forwards each sequenced message to the gateway node(s) holding its recipient. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class RoutingServiceApplication {

    public static void main(String[] args) {
        builder().run(args);
    }

    /**
     * The application as {@code main} runs it. Its configuration file is {@code routing-service.yml}, not
     * {@code application.yml}, so that the services can share one classpath (the local suite).
     */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(RoutingServiceApplication.class)
                .properties("spring.config.name=routing-service");
    }
}
