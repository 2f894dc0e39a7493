package io.switchboard.suite;

import io.switchboard.test.TestInfra;
import io.switchboard.test.TestTokens;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The whole suite as the end-to-end tests run it. */
final class TestSuites {

    private TestSuites() {}

    /**
     * Starts the suite in this JVM on the tests' Kafka and Redis, with two gateway nodes, every port
     * picked free, tokens signed with {@link TestTokens#SECRET}, and {@code settings} on top.
     */
    static Suite start(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("switchboard.jwt.secret", TestTokens.SECRET);
        return Suite.start(new Suite.Options(
                TestInfra.kafkaBootstrapServers(),
                TestInfra.redisUri(),
                new Suite.ServicePorts(0, 0, 0),
                List.of(0, 0),
                all));
    }
}
