package io.switchboard.suite;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.protocol.Json;
import io.switchboard.test.TestTokens;
import io.switchboard.test.WsTestClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Protocol v1 from a test's point of view: connecting to a suite's gateway nodes, frames, reading them. */
final class Clients {

    static final Duration WAIT = Duration.ofSeconds(20);

    private Clients() {}

    /** The WebSocket URI of gateway {@code node}, with {@code query} ("device=phone&after=3") if not null. */
    static URI node(Suite suite, int node, String query) {
        URI ws = suite.gatewayWebSocket(node);
        return query == null ? ws : URI.create(ws + "?" + query);
    }

    static String token(String user) {
        return TestTokens.mint(TestTokens.SECRET, user, Duration.ofMinutes(10));
    }

    /** Connects and waits for the {@code welcome}; returns the connection (the welcome stays in it). */
    static WsTestClient.Connection connect(Suite suite, int node, String user, String query) {
        WsTestClient.Connection c = WsTestClient.connect(node(suite, node, query), token(user));
        JsonNode welcome = json(c.awaitFrame(f -> f.contains("\"welcome\""), WAIT));
        assertThat(welcome.get("user").asString()).isEqualTo(user);
        return c;
    }

    static JsonNode json(String frame) {
        return Json.MAPPER.readTree(frame);
    }

    static String send(String cid, String to, String body) {
        return "{\"type\":\"send\",\"cid\":\"" + cid + "\",\"to\":\"" + to + "\",\"body\":" + body + "}";
    }

    static String recv(long seq) {
        return "{\"type\":\"recv\",\"seq\":" + seq + "}";
    }

    static List<JsonNode> framesOfType(WsTestClient.Connection c, String type) {
        List<JsonNode> frames = new ArrayList<>();
        for (String text : c.received()) {
            JsonNode node = json(text);
            if (type.equals(node.get("type").asString())) {
                frames.add(node);
            }
        }
        return frames;
    }

    /** The seqs of every {@code msg} received so far, in arrival order. */
    static List<Long> msgSeqs(WsTestClient.Connection c) {
        return framesOfType(c, "msg").stream().map(m -> m.get("seq").asLong()).toList();
    }

    /**
     * Sends {@code count} messages with cids {@code cidPrefix + 1..count} and bodies {@code {"n":i}},
     * waits for every ack, and returns the acknowledged message ids in sending order.
     */
    static List<String> sendAcked(WsTestClient.Connection from, String to, String cidPrefix, int count) {
        for (int i = 1; i <= count; i++) {
            from.send(send(cidPrefix + i, to, "{\"n\":" + i + "}"));
        }
        String[] ids = new String[count];
        for (String text :
                from.awaitFrames(f -> f.contains("\"ack\"") && f.contains("\"cid\":\"" + cidPrefix), count, WAIT)) {
            JsonNode ack = json(text);
            ids[Integer.parseInt(ack.get("cid").asString().substring(cidPrefix.length())) - 1] =
                    ack.get("id").asString();
        }
        return List.of(ids);
    }
}
