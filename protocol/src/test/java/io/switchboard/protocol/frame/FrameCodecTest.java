package io.switchboard.protocol.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.protocol.RawJson;
import io.switchboard.protocol.envelope.SequencedMessage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FrameCodecTest {

    private final FrameCodec codec = new FrameCodec();

    @Test
    void readsASendWithAnyJsonBody() {
        ClientFrame frame = codec.decode(
                "{\"type\":\"send\",\"cid\":\"c1\",\"to\":\"bob\",\"body\":{\"text\":\"hi\",\"n\":[1,2]}}");

        assertThat(frame).isEqualTo(new ClientFrame.Send("c1", "bob", new RawJson("{\"text\":\"hi\",\"n\":[1,2]}")));
    }

    @Test
    void keepsTheBodyExactlyAsTheClientSpelledIt() {
        String body = "{ \"amount\": 19.990, \"exact\": 0.1000000000000000000001,\n \"name\": \"\\u00e9\" }";

        ClientFrame frame = codec.decode("{\"type\":\"send\",\"body\": " + body + " ,\"cid\":\"c1\",\"to\":\"bob\"}");

        assertThat(((ClientFrame.Send) frame).body().json()).isEqualTo(body);
    }

    @Test
    void keepsScalarAndNullBodies() {
        assertThat(((ClientFrame.Send)
                                codec.decode("{\"type\":\"send\",\"cid\":\"c\",\"to\":\"b\",\"body\":\"hello\"}"))
                        .body()
                        .json())
                .isEqualTo("\"hello\"");
        assertThat(((ClientFrame.Send) codec.decode("{\"type\":\"send\",\"cid\":\"c\",\"to\":\"b\",\"body\":null}"))
                        .body()
                        .json())
                .isEqualTo("null");
    }

    @Test
    void ignoresAFromFieldSentByTheClient() {
        ClientFrame frame =
                codec.decode("{\"type\":\"send\",\"cid\":\"c1\",\"to\":\"bob\",\"from\":\"mallory\",\"body\":1}");

        assertThat(frame).isEqualTo(new ClientFrame.Send("c1", "bob", new RawJson("1")));
    }

    @Test
    void readsAPing() {
        assertThat(codec.decode("{\"type\":\"ping\"}")).isEqualTo(new ClientFrame.Ping());
    }

    @Test
    void readsRecvAndSync() {
        assertThat(codec.decode("{\"type\":\"recv\",\"seq\":42}")).isEqualTo(new ClientFrame.Recv(42));
        assertThat(codec.decode("{\"type\":\"sync\",\"after\":0}")).isEqualTo(new ClientFrame.Sync(0));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "not json                                                  | bad_json       |",
                "[1,2]                                                     | bad_json       |",
                "{\"type\":\"ping\"} {\"type\":\"ping\"}                 | bad_json       |",
                "{\"type\":\"send\",\"cid\":\"c\",\"to\":\"b\",\"body\":{\"a\":1,}} | bad_json |",
                "{\"cid\":\"c1\"}                                          | unknown_type   | c1",
                "{\"type\":\"shout\",\"cid\":\"c2\"}                       | unknown_type   | c2",
                "{\"type\":\"send\",\"to\":\"bob\",\"body\":1}             | missing_field  |",
                "{\"type\":\"send\",\"cid\":\"c3\",\"body\":1}             | missing_field  | c3",
                "{\"type\":\"send\",\"cid\":\"c4\",\"to\":\"bob\"}         | missing_field  | c4",
                "{\"type\":\"send\",\"cid\":\"c5\",\"to\":42,\"body\":1}   | missing_field  | c5",
                "{\"type\":\"send\",\"cid\":\"c6\",\"to\":\"b b\",\"body\":1} | bad_recipient | c6",
                "{\"type\":\"send\",\"cid\":\"\",\"to\":\"bob\",\"body\":1} | bad_field     |",
                "{\"type\":\"send\",\"cid\":\"c7\",\"to\":\"group:\",\"body\":1} | bad_recipient | c7",
                "{\"type\":\"send\",\"cid\":\"c8\",\"to\":\"group:a:b\",\"body\":1} | bad_recipient | c8",
                "{\"type\":\"recv\"}                                     | missing_field  |",
                "{\"type\":\"recv\",\"seq\":\"7\"}                     | missing_field  |",
                "{\"type\":\"recv\",\"seq\":-1}                        | bad_field      |",
                "{\"type\":\"sync\",\"after\":1.5}                     | bad_field      |",
            })
    void rejectsBadFramesWithAStableCode(String text, String code, String cid) {
        assertThatThrownBy(() -> codec.decode(text.strip())).isInstanceOfSatisfying(FrameException.class, e -> {
            assertThat(e.code().wire()).isEqualTo(code);
            assertThat(e.cid()).isEqualTo(cid);
        });
    }

    @Test
    void rejectsAbsurdlyDeepNesting() {
        String deep = "[".repeat(1000) + "]".repeat(1000);

        assertThatThrownBy(() -> codec.decode("{\"type\":\"send\",\"cid\":\"c\",\"to\":\"b\",\"body\":" + deep + "}"))
                .isInstanceOfSatisfying(
                        FrameException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_JSON));
    }

    @Test
    void writesServerFramesExactlyAsTheProtocolDocumentShowsThem() {
        assertThat(text(new ServerFrame.Welcome("alice", "phone", "s1", 12)))
                .isEqualTo("{\"type\":\"welcome\",\"user\":\"alice\",\"device\":\"phone\",\"session\":\"s1\","
                        + "\"after\":12}");
        assertThat(text(new ServerFrame.Gap(3, 9))).isEqualTo("{\"type\":\"gap\",\"from\":3,\"to\":9}");
        assertThat(text(new ServerFrame.Synced(40))).isEqualTo("{\"type\":\"synced\",\"upTo\":40}");
        assertThat(text(new ServerFrame.Ack("c1", "m1"))).isEqualTo("{\"type\":\"ack\",\"cid\":\"c1\",\"id\":\"m1\"}");
        assertThat(text(new ServerFrame.Msg("m1", 7, "alice", "bob", 1700000000000L, new RawJson("{\"t\":\"hi\"}"))))
                .isEqualTo("{\"type\":\"msg\",\"id\":\"m1\",\"seq\":7,\"from\":\"alice\",\"to\":\"bob\","
                        + "\"ts\":1700000000000,\"body\":{\"t\":\"hi\"}}");
        assertThat(text(new ServerFrame.Error(null, ErrorCode.BAD_JSON, "nope")))
                .isEqualTo("{\"type\":\"error\",\"code\":\"bad_json\",\"message\":\"nope\"}");
        assertThat(text(new ServerFrame.Error("c9", ErrorCode.UNAVAILABLE, "later")))
                .isEqualTo("{\"type\":\"error\",\"cid\":\"c9\",\"code\":\"unavailable\",\"message\":\"later\"}");
        assertThat(text(new ServerFrame.Pong())).isEqualTo("{\"type\":\"pong\"}");
        assertThat(text(new ServerFrame.Broadcast("b1", "system", 1700000000000L, new RawJson("{\"t\":1}"))))
                .isEqualTo("{\"type\":\"broadcast\",\"id\":\"b1\",\"from\":\"system\",\"ts\":1700000000000,"
                        + "\"body\":{\"t\":1}}");
    }

    @Test
    void readsASendToAGroupAndAddressesItsCopiesToTheGroup() {
        assertThat(codec.decode("{\"type\":\"send\",\"cid\":\"c1\",\"to\":\"group:team-7\",\"body\":1}"))
                .isEqualTo(new ClientFrame.Send("c1", "group:team-7", new RawJson("1")));
        SequencedMessage copy = new SequencedMessage("m1", 4, "alice", "bob", 1L, new RawJson("1"), "team-7");
        assertThat(ServerFrame.Msg.of(copy).to()).isEqualTo("group:team-7");
        assertThat(ServerFrame.Msg.of(new SequencedMessage("m2", 5, "alice", "bob", 1L, new RawJson("1")))
                        .to())
                .isEqualTo("bob");
    }

    @Test
    void escapesTextFields() {
        assertThat(text(new ServerFrame.Error(null, ErrorCode.BAD_FIELD, "a \"quoted\"\nline")))
                .contains("\"message\":\"a \\\"quoted\\\"\\nline\"");
    }

    @Test
    void readsPresenceSubscriptionsWithoutDuplicates() {
        assertThat(codec.decode("{\"type\":\"presence.subscribe\",\"users\":[\"alice\",\"bob\",\"alice\"]}"))
                .isEqualTo(new ClientFrame.PresenceSubscribe(java.util.List.of("alice", "bob")));
        assertThat(codec.decode("{\"type\":\"presence.unsubscribe\",\"users\":[\"bob\"]}"))
                .isEqualTo(new ClientFrame.PresenceUnsubscribe(java.util.List.of("bob")));
    }

    @Test
    void refusesBadPresenceSubscriptions() {
        assertThatThrownBy(() -> codec.decode("{\"type\":\"presence.subscribe\",\"users\":\"bob\"}"))
                .extracting(e -> ((FrameException) e).code())
                .isEqualTo(ErrorCode.MISSING_FIELD);
        assertThatThrownBy(() -> codec.decode("{\"type\":\"presence.subscribe\",\"users\":[\"not a user\"]}"))
                .extracting(e -> ((FrameException) e).code())
                .isEqualTo(ErrorCode.BAD_FIELD);
        String tooMany = "[" + "\"u\",".repeat(1000) + "\"u\"]";
        assertThatThrownBy(() -> codec.decode("{\"type\":\"presence.subscribe\",\"users\":" + tooMany + "}"))
                .extracting(e -> ((FrameException) e).code())
                .isEqualTo(ErrorCode.TOO_MANY_SUBSCRIPTIONS);
    }

    @Test
    void writesPresenceFrames() {
        assertThat(text(new ServerFrame.Presence("bob", true, 1000, 990)))
                .isEqualTo("{\"type\":\"presence\",\"user\":\"bob\",\"online\":true,\"at\":1000,\"lastSeen\":990}");
    }

    /** A frame as the gateway writes it (UTF-8 bytes), read back as text. */
    private String text(ServerFrame frame) {
        return new String(codec.encodeUtf8(frame), StandardCharsets.UTF_8);
    }
}
