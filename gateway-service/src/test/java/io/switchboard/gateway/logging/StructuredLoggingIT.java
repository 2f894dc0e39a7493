package io.switchboard.gateway.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.gateway.GatewayServiceApplication;
import io.switchboard.protocol.Json;
import io.switchboard.test.TestInfra;
import io.switchboard.test.TestTokens;
import io.switchboard.test.WsTestClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * A gateway as its container runs it, with JSON logs ({@code LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs}):
 * the lines about a session and a message carry their ids as fields, and neither the access token
 * (here in the query string, as browsers send it) nor a message body appears anywhere in the output.
 */
@ExtendWith(OutputCaptureExtension.class)
class StructuredLoggingIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void sessionAndMessageLinesCarryTheirIdsAndNeverTheTokenOrTheBody(CapturedOutput output) {
        String user = TestInfra.uniqueId("logged");
        String token = TestTokens.mint(TestTokens.SECRET, user, Duration.ofMinutes(5));
        String body = "secret-body-" + TestInfra.uniqueId("text");
        String sessionId;
        String messageId;
        try (ConfigurableApplicationContext gateway = GatewayServiceApplication.builder()
                .run(
                        "--server.port=0",
                        "--switchboard.kafka.bootstrap-servers=" + TestInfra.kafkaBootstrapServers(),
                        "--switchboard.redis.uri=" + TestInfra.redisUri(),
                        "--switchboard.jwt.secret=" + TestTokens.SECRET,
                        "--switchboard.gateway.node-id=logging-it",
                        "--logging.structured.format.console=ecs",
                        "--logging.level.io.switchboard.gateway=debug")) {
            int port = ((ReactiveWebServerApplicationContext) gateway)
                    .getWebServer()
                    .getPort();
            URI ws = URI.create("ws://127.0.0.1:" + port + "/ws?access_token=" + token);
            try (WsTestClient.Connection c = WsTestClient.connect(ws, null)) {
                JsonNode welcome = Json.MAPPER.readTree(c.awaitFrame(f -> f.contains("\"welcome\""), WAIT));
                sessionId = welcome.get("session").asString();
                c.send("{\"type\":\"send\",\"cid\":\"c1\",\"to\":\"" + TestInfra.uniqueId("peer")
                        + "\",\"body\":{\"text\":\"" + body + "\"}}");
                JsonNode ack = Json.MAPPER.readTree(c.awaitFrame(f -> f.contains("\"ack\""), WAIT));
                messageId = ack.get("id").asString();
            }
            String closed = sessionId;
            await().atMost(WAIT).until(() -> line(output, "closed", closed).isPresent());
        }

        JsonNode opened = line(output, "opened", sessionId).orElseThrow();
        assertThat(field(opened, "sessionId")).isEqualTo(sessionId);
        assertThat(field(opened, "nodeId")).isEqualTo("logging-it");
        assertThat(field(opened, "service.name")).isEqualTo("gateway-service");
        assertThat(field(opened, "log.level")).isEqualTo("DEBUG");

        JsonNode accepted = line(output, "accepted", messageId).orElseThrow();
        assertThat(field(accepted, "messageId")).isEqualTo(messageId);
        assertThat(field(accepted, "sessionId")).isEqualTo(sessionId);

        assertThat(field(line(output, "closed", sessionId).orElseThrow(), "sessionId"))
                .isEqualTo(sessionId);
        assertThat(output.getAll()).doesNotContain(token).doesNotContain(body);
    }

    /** The first JSON log line whose message contains both words. */
    private static Optional<JsonNode> line(CapturedOutput output, String word, String id) {
        for (JsonNode line : jsonLines(output)) {
            String message = field(line, "message");
            if (message != null && message.contains(word) && message.contains(id)) {
                return Optional.of(line);
            }
        }
        return Optional.empty();
    }

    private static List<JsonNode> jsonLines(CapturedOutput output) {
        List<JsonNode> lines = new ArrayList<>();
        for (String text : output.getOut().split("\n")) {
            if (text.startsWith("{")) {
                lines.add(Json.MAPPER.readTree(text));
            }
        }
        return lines;
    }

    /** A field by its dotted ECS name, whether the formatter nests it ({"session":{"id":…}}) or not. */
    private static String field(JsonNode line, String dotted) {
        JsonNode flat = line.get(dotted);
        if (flat != null) {
            return flat.asString();
        }
        JsonNode nested = line.at("/" + dotted.replace('.', '/'));
        return nested.isMissingNode() ? null : nested.asString();
    }
}
