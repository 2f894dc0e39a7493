package io.switchboard.offline;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * offline-service: stores every accepted message for its recipient under a gap-free sequence
 * number, then hands it on for routing.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class OfflineServiceApplication {

    public static void main(String[] args) {
        builder().run(args);
    }

    /**
     * The application as {@code main} runs it. Its configuration file is {@code offline-service.yml}, not
     * {@code application.yml}, so that the services can share one classpath (the local suite).
     */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(OfflineServiceApplication.class)
                .properties("spring.config.name=offline-service");
    }
}
