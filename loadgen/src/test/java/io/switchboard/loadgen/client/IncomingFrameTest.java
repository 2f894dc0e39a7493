package io.switchboard.loadgen.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class IncomingFrameTest {

    private static IncomingFrame parse(String json) {
        return IncomingFrame.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aMsgYieldsItsSeqRecipientAndTheBodysMessageNumber() {
        IncomingFrame f = parse("{\"type\":\"msg\",\"id\":\"019a-1\",\"seq\":17,\"from\":\"alice\",\"to\":\"bob\","
                + "\"ts\":1763870000123,\"body\":{\"p\":\"x\",\"n\":42,\"deep\":{\"n\":7}}}");

        assertThat(f.type()).isEqualTo("msg");
        assertThat(f.seq()).isEqualTo(17);
        assertThat(f.from()).isEqualTo("alice");
        assertThat(f.to()).isEqualTo("bob");
        assertThat(f.bodyN()).isEqualTo(42);
    }

    @Test
    void aBodyThatIsNotAnObjectHasNoMessageNumber() {
        assertThat(parse("{\"type\":\"msg\",\"seq\":1,\"body\":[1,{\"n\":3}]}").bodyN())
                .isEqualTo(-1);
        assertThat(parse("{\"type\":\"msg\",\"seq\":1,\"body\":\"n\"}").bodyN()).isEqualTo(-1);
    }

    @Test
    void anAckAndAnErrorCarryTheirCid() {
        assertThat(parse("{\"type\":\"ack\",\"cid\":\"12\",\"id\":\"x\"}").cid())
                .isEqualTo("12");
        IncomingFrame error = parse("{\"type\":\"error\",\"cid\":\"13\",\"code\":\"unavailable\",\"message\":\"m\"}");
        assertThat(error.code()).isEqualTo("unavailable");
        assertThat(error.cid()).isEqualTo("13");
    }

    @Test
    void aGapHasNumericBoundsWhereAMsgHasUserIds() {
        IncomingFrame gap = parse("{\"type\":\"gap\",\"from\":3,\"to\":9}");

        assertThat(gap.gapFrom()).isEqualTo(3);
        assertThat(gap.gapTo()).isEqualTo(9);
        assertThat(gap.from()).isNull();
        assertThat(gap.to()).isNull();
    }

    @Test
    void welcomeTellsWhetherTheServerReplays() {
        assertThat(parse("{\"type\":\"welcome\",\"user\":\"u\",\"after\":0}").after())
                .isZero();
        assertThat(parse("{\"type\":\"welcome\",\"user\":\"u\",\"session\":\"s\"}")
                        .after())
                .isEqualTo(-1);
    }

    @Test
    void unknownFieldsOfAnyShapeAreSkipped() {
        IncomingFrame f = parse("{\"extra\":{\"a\":[1,2,{\"seq\":99}]},\"type\":\"msg\",\"seq\":5,\"more\":null}");

        assertThat(f.seq()).isEqualTo(5);
    }

    @Test
    void somethingThatIsNotAJsonObjectIsRefused() {
        assertThatThrownBy(() -> parse("[1,2]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> parse("{\"type\":")).isInstanceOf(IllegalArgumentException.class);
    }
}
