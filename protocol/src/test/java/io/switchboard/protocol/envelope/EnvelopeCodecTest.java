package io.switchboard.protocol.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.protocol.RawJson;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EnvelopeCodecTest {

    private final EnvelopeCodec codec = new EnvelopeCodec();

    @Test
    void inboundRoundTrips() {
        InboundMessage m = new InboundMessage("id1", "c1", "alice", "bob", 42L, new RawJson("{\"a\":[1,\"x\"]}"));

        assertThat(codec.decodeInbound(codec.encode(m))).isEqualTo(m);
    }

    @Test
    void readsTheSameEnvelopeFromTextAsFromBytesWithTheBodyUnchanged() {
        InboundMessage m = new InboundMessage(
                "id1", "c1", "alice", "bob", 42L, new RawJson("{ \"a\" : [1.50, \"\\u00e9 ü\"] }"), "team-7");

        assertThat(codec.decodeInbound(codec.encodeAsText(m))).isEqualTo(m);
        assertThat(codec.decodeInbound(codec.encode(m))).isEqualTo(m);
        assertThat(codec.encode(m)).isEqualTo(codec.encodeAsText(m).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void sequencedRoundTrips() {
        SequencedMessage m = new SequencedMessage("id1", 9, "alice", "bob", 42L, new RawJson("\"ünïcödé\""));

        assertThat(codec.decodeSequenced(codec.encode(m))).isEqualTo(m);
    }

    @Test
    void aGroupMembersCopyKeepsItsGroup() {
        InboundMessage m = new InboundMessage("id1", "c1", "alice", "bob", 42L, new RawJson("1"), "team-7");
        SequencedMessage s = SequencedMessage.of(m, 3);

        assertThat(codec.decodeInbound(codec.encode(m))).isEqualTo(m);
        assertThat(codec.decodeSequenced(codec.encode(s))).isEqualTo(s);
        assertThat(new String(
                        codec.encode(new InboundMessage("i", "c", "a", "b", 1L, new RawJson("1"))),
                        StandardCharsets.UTF_8))
                .doesNotContain("group");
    }

    @Test
    void broadcastsRoundTrip() {
        BroadcastCodec broadcasts = new BroadcastCodec();
        var frame = new io.switchboard.protocol.frame.ServerFrame.Broadcast("b1", "ops", 42L, new RawJson("[1]"));

        assertThat(broadcasts.decode(broadcasts.encode(frame))).isEqualTo(frame);
        assertThatThrownBy(() -> broadcasts.decode("{\"id\":\"b1\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedEnvelopeException.class);
    }

    @Test
    void readersIgnoreFieldsAddedByNewerWriters() {
        byte[] newer = "{\"v\":2,\"id\":\"i\",\"seq\":1,\"from\":\"a\",\"to\":\"b\",\"ts\":1,\"body\":0,\"extra\":true}"
                .getBytes(StandardCharsets.UTF_8);

        assertThat(codec.decodeSequenced(newer).seq()).isEqualTo(1);
    }

    @Test
    void malformedRecordsAreReportedNotGuessed() {
        assertThatThrownBy(() -> codec.decodeInbound("nope".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedEnvelopeException.class);
        assertThatThrownBy(() -> codec.decodeSequenced("{\"id\":\"i\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedEnvelopeException.class);
    }

    /**
     * Kafka records are UTF-8 (every writer is ours), but a foreign producer or a corrupt record may
     * carry anything: it must be reported as malformed, which the pipelines skip, and never throw
     * something else, which would fail its batch on every retry and stall the pipeline behind it.
     */
    @Test
    void bytesInAnotherEncodingThanUtf8AreMalformed() {
        String json = new String(
                codec.encode(new InboundMessage("id1", "c1", "alice", "bob", 42L, new RawJson("{\"a\":1}"))),
                StandardCharsets.UTF_8);
        byte[][] foreign = {
            json.getBytes(StandardCharsets.UTF_16BE),
            json.getBytes(StandardCharsets.UTF_16LE),
            json.getBytes(StandardCharsets.UTF_16), // with a byte order mark
            json.getBytes(java.nio.charset.Charset.forName("UTF-32")),
            {0, 0, '{', 0}, // what Jackson takes for UCS-4 of an order it does not support
            {0, '{', 0, 0},
        };
        for (byte[] bytes : foreign) {
            assertThatThrownBy(() -> codec.decodeInbound(bytes))
                    .as("%s", java.util.Arrays.toString(java.util.Arrays.copyOf(bytes, 4)))
                    .isInstanceOf(MalformedEnvelopeException.class);
            assertThatThrownBy(() -> codec.decodeSequenced(bytes)).isInstanceOf(MalformedEnvelopeException.class);
            assertThatThrownBy(() -> new BroadcastCodec().decode(bytes)).isInstanceOf(MalformedEnvelopeException.class);
        }
    }

    @Test
    void nodeTopicsOnlyTakeNamesKafkaAccepts() {
        assertThat(Topics.node("gw-1.local")).isEqualTo("switchboard.node.gw-1.local");
        assertThatThrownBy(() -> Topics.node("bad/name")).isInstanceOf(IllegalArgumentException.class);
    }
}
