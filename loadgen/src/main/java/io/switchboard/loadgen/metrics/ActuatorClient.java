package io.switchboard.loadgen.metrics;

import io.switchboard.protocol.Json;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalDouble;
import tools.jackson.databind.JsonNode;

/**
 * Reads one value from a service's {@code /actuator/metrics/{name}} (the sum over the series that
 * match the given tags). Blocking: call it from the scenario's own thread, never an event loop.
 */
public final class ActuatorClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    /** @param base the service's HTTP root, e.g. {@code http://127.0.0.1:8281} */
    public ActuatorClient(URI base) {
        this.base = base;
    }

    /** The HTTP root of the gateway whose WebSocket endpoint is {@code ws}. */
    public static ActuatorClient forGateway(URI ws) {
        return new ActuatorClient(URI.create("http://" + ws.getHost() + ":" + ws.getPort()));
    }

    /**
     * @param tags {@code key:value} pairs
     * @return the value, or empty if the metric does not exist or the service does not answer
     */
    public OptionalDouble value(String metric, String... tags) {
        StringBuilder uri =
                new StringBuilder(base.toString()).append("/actuator/metrics/").append(metric);
        for (int i = 0; i < tags.length; i++) {
            uri.append(i == 0 ? '?' : '&').append("tag=").append(URLEncoder.encode(tags[i], StandardCharsets.UTF_8));
        }
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(uri.toString()))
                            .timeout(TIMEOUT)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return OptionalDouble.empty();
            }
            for (JsonNode m : Json.MAPPER.readTree(response.body()).path("measurements")) {
                String statistic = m.path("statistic").asString();
                if (statistic.equals("VALUE") || statistic.equals("COUNT")) {
                    return OptionalDouble.of(m.path("value").asDouble());
                }
            }
            return OptionalDouble.empty();
        } catch (java.io.IOException e) {
            return OptionalDouble.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalDouble.empty();
        }
    }
}
