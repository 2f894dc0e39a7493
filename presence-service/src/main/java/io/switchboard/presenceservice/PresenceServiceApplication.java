package io.switchboard.presenceservice;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** presence-service: answers who is online, on which node and device. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class PresenceServiceApplication {

    public static void main(String[] args) {
        builder().run(args);
    }

    /**
     * The application as {@code main} runs it. Its configuration file is {@code presence-service.yml}, not
     * {@code application.yml}, so that the services can share one classpath (the local suite).
     */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(PresenceServiceApplication.class)
                .properties("spring.config.name=presence-service");
    }
}
