package io.switchboard.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.presence.PresenceSession;
import io.switchboard.protocol.RawJson;
import io.switchboard.protocol.frame.ServerFrame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.web.reactive.socket.CloseStatus;

class ClientSessionTest {

    private final List<CloseStatus> closes = new ArrayList<>();

    private ClientSession session(int queue) {
        ClientSession s = new ClientSession(new PresenceSession("bob", "phone", "s1", "gw-1", 0), queue, 0);
        s.onClose(closes::add);
        return s;
    }

    private static ServerFrame.Msg msg(long seq) {
        return new ServerFrame.Msg("m" + seq, seq, "alice", "bob", 0, new RawJson("1"));
    }

    @Test
    void framesLeaveInTheOrderTheyWereQueued() {
        ClientSession s = session(16);
        s.send(new ServerFrame.Welcome("bob", "phone", "s1", 0));
        s.send(msg(1));
        s.send(msg(2));
        s.close(CloseStatus.NORMAL);

        assertThat(s.outbound().collectList().block())
                .extracting(o -> ((Outbound.Frame) o).frame())
                .containsExactly(new ServerFrame.Welcome("bob", "phone", "s1", 0), msg(1), msg(2));
    }

    @Test
    void aFullQueueClosesTheSessionAsASlowConsumerInsteadOfGrowing() {
        ClientSession s = session(4);
        for (int seq = 1; seq <= 4; seq++) {
            assertThat(s.send(msg(seq))).isTrue();
        }

        assertThat(s.send(msg(5))).isFalse();
        assertThat(closes).containsExactly(CloseCodes.SLOW_CONSUMER);
        assertThat(s.isClosed()).isTrue();
        assertThat(s.send(new ServerFrame.Pong())).isFalse();
    }

    @Test
    void closingTwiceClosesOnce() {
        ClientSession s = session(4);
        s.close(CloseCodes.HEARTBEAT_TIMEOUT);
        s.close(CloseStatus.NORMAL);

        assertThat(closes).containsExactly(CloseCodes.HEARTBEAT_TIMEOUT);
        assertThat(s.closedWith()).isEqualTo(CloseCodes.HEARTBEAT_TIMEOUT);
    }
}
