package io.switchboard.suite;

import static io.switchboard.suite.Clients.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.test.TestInfra;
import io.switchboard.test.WsTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every service's Prometheus endpoint, scraped after real traffic through the whole suite: the
 * documented meters exist with the {@code service} and {@code node} tags, they moved with the
 * traffic (the end-to-end latency histogram after one message), and every series the Grafana
 * dashboard and the alert rules read is really exported by some service.
 */
class MetricsIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void everyServiceExportsItsMetersAndTheyMoveWithAMessage() throws Exception {
        try (Suite suite = TestSuites.start(Map.of("switchboard.presence.grace", "500ms"))) {
            String alice = TestInfra.uniqueId("alice");
            String bob = TestInfra.uniqueId("bob");
            assertThat(WsTestClient.upgradeStatus(suite.gatewayWebSocket(0), "not-a-token"))
                    .isEqualTo(401);
            try (var onNode1 = Clients.connect(suite, 0, alice, null);
                    var onNode2 = Clients.connect(suite, 1, bob, null)) {
                onNode1.send(send("c1", bob, "{\"text\":\"hi\"}"));
                onNode1.awaitFrame(f -> f.contains("\"ack\""), Clients.WAIT);
                onNode2.awaitFrame(f -> f.contains("\"msg\""), Clients.WAIT);
                onNode1.send("{");
                onNode1.awaitFrame(f -> f.contains("bad_json"), Clients.WAIT);
                // a user who comes and goes: a close by the client, and an offline after the grace
                Clients.connect(suite, 0, TestInfra.uniqueId("carol"), null).close();

                Map<String, URI> services = new LinkedHashMap<>();
                services.put("gw-1", scrapeUri(suite.gatewayPorts().get(0)));
                services.put("gw-2", scrapeUri(suite.gatewayPorts().get(1)));
                services.put("presence", scrapeUri(suite.port("presence")));
                services.put("routing", scrapeUri(suite.port("routing")));
                services.put("offline", scrapeUri(suite.port("offline")));

                await().atMost(Clients.WAIT).untilAsserted(() -> {
                    Scrape receiver = scrape(services.get("gw-2"));
                    // accept -> push: the one live message is in the histogram
                    assertThat(receiver.sum("switchboard_delivery_latency_seconds_count"))
                            .isEqualTo(1);
                    assertThat(receiver.sum("switchboard_delivery_latency_seconds_bucket", "le=\"+Inf\""))
                            .isEqualTo(1);
                    assertThat(receiver.sum("switchboard_frames_out_total", "type=\"msg\""))
                            .isEqualTo(1);
                });
                Scrape sender = scrape(services.get("gw-1"));
                assertThat(sender.sum("switchboard_messages_accepted_total")).isEqualTo(1);
                assertThat(sender.sum("switchboard_frames_in_total", "type=\"send\""))
                        .isEqualTo(1);
                assertThat(sender.sum("switchboard_frames_out_total", "type=\"ack\""))
                        .isEqualTo(1);
                assertThat(sender.sum("switchboard_sessions_opened_total")).isEqualTo(2);
                assertThat(sender.sum("switchboard_frames_errors_total", "code=\"bad_json\""))
                        .isEqualTo(1);
                assertThat(sender.sum("switchboard_frames_in_total", "type=\"invalid\""))
                        .isEqualTo(1);
                assertThat(sender.sum("switchboard_handshakes_rejected_total", "reason=\"invalid_token\""))
                        .isEqualTo(1);
                assertThat(sender.sum("lettuce_command_completion_seconds_count"))
                        .isPositive();
                assertThat(sender.series("switchboard_kafka_consumer_lag", "receiver=\"gateway-node\""))
                        .isNotEmpty();
                assertThat(sender.series("switchboard_kafka_sender_queued", "sender=\"gateway-inbound\""))
                        .isNotEmpty();
                await().atMost(Clients.WAIT).untilAsserted(() -> {
                    assertThat(scrape(services.get("offline")).sum("switchboard_messages_stored_total"))
                            .isGreaterThanOrEqualTo(1);
                    assertThat(scrape(services.get("routing")).sum("switchboard_messages_routed_total"))
                            .isGreaterThanOrEqualTo(1);
                    // Where a batch's time goes: storing it, finding the recipients, writing the copies.
                    assertThat(scrape(services.get("offline")).sum("switchboard_offline_store_duration_seconds_count"))
                            .isGreaterThanOrEqualTo(1);
                    assertThat(scrape(services.get("routing")).sum("switchboard_routing_lookup_duration_seconds_count"))
                            .isGreaterThanOrEqualTo(1);
                    assertThat(scrape(services.get("routing"))
                                    .sum("switchboard_routing_forward_duration_seconds_count"))
                            .isGreaterThanOrEqualTo(1);
                    assertThat(scrape(services.get("gw-1"))
                                    .sum("switchboard_sessions_closed_total", "reason=\"client\""))
                            .isEqualTo(1);
                    assertThat(scrape(services.get("gw-1")).sum("switchboard_sessions_open"))
                            .isEqualTo(1);
                    assertThat(scrape(services.get("presence"))
                                    .sum("switchboard_presence_detections_total", "cause=\"closed\""))
                            .isGreaterThanOrEqualTo(1);
                });

                Set<String> exported = new TreeSet<>();
                Path dump = Path.of("target", "metrics-it");
                Files.createDirectories(dump);
                for (Map.Entry<String, URI> service : services.entrySet()) {
                    Scrape s = scrape(service.getValue());
                    Files.writeString(dump.resolve(service.getKey() + ".txt"), s.text());
                    for (String line : s.samples()) {
                        assertThat(line)
                                .as("%s: every series has its service and node", service.getKey())
                                .contains("service=\"")
                                .contains("node=\"");
                    }
                    exported.addAll(s.names());
                }
                assertThat(exported)
                        .as("series the dashboard and the alert rules read")
                        .containsAll(ObservabilityFiles.metricNamesUsed());
                assertThat(exported)
                        .as("in one JVM a service's log event counter would count every service's events")
                        .noneMatch(name -> name.startsWith("logback_events"));
            }
        }
    }

    private static URI scrapeUri(int port) {
        return URI.create("http://127.0.0.1:" + port + "/actuator/prometheus");
    }

    private Scrape scrape(URI uri) throws Exception {
        return new Scrape(http.send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString())
                .body());
    }

    /** One scrape in Prometheus's text format. */
    private record Scrape(String text) {

        List<String> samples() {
            return text.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        }

        /** The series names (before labels) of every sample. */
        Set<String> names() {
            Set<String> names = new TreeSet<>();
            for (String line : samples()) {
                int end = line.indexOf('{');
                names.add(end < 0 ? line.substring(0, line.indexOf(' ')) : line.substring(0, end));
            }
            return names;
        }

        /** Samples of {@code name} whose labels contain every one of {@code labels} ({@code k="v"}). */
        List<String> series(String name, String... labels) {
            return samples().stream()
                    .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                    .filter(l -> List.of(labels).stream().allMatch(l::contains))
                    .toList();
        }

        double sum(String name, String... labels) {
            return series(name, labels).stream()
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                    .sum();
        }
    }
}
