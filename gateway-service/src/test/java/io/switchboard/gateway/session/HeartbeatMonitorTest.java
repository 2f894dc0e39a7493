package io.switchboard.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.inbox.InMemoryMessageStore;
import io.switchboard.inbox.MessageStore;
import io.switchboard.presence.InMemoryPresenceStore;
import io.switchboard.presence.PresenceSession;
import io.switchboard.presence.PresenceStore;
import io.switchboard.protocol.RawJson;
import io.switchboard.protocol.envelope.InboundMessage;
import io.switchboard.protocol.frame.ServerFrame;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.web.reactive.socket.CloseStatus;

class HeartbeatMonitorTest {

    private static final long SECOND = 1_000_000_000L;

    private final SessionRegistry registry = new SessionRegistry();
    private final InMemoryPresenceStore presence = new InMemoryPresenceStore(Clock.systemUTC());
    private final HeartbeatMonitor monitor = new HeartbeatMonitor(
            registry, presence, "gw-1", Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(15));
    private final List<CloseStatus> closes = new ArrayList<>();

    /** A session as the handler leaves it once its first registration succeeded. */
    private ClientSession open(long at) {
        ClientSession s = opening(at);
        s.registered();
        return s;
    }

    /** A session whose first presence registration has not completed. */
    private ClientSession opening(long at) {
        ClientSession s = new ClientSession(new PresenceSession("bob", "d", "s1", "gw-1", 0), 64, at);
        s.onClose(closes::add);
        registry.add(s);
        return s;
    }

    /** A feed on {@code s} reading {@code inbox}, started live; returns the seqs it sends. */
    private static List<Long> feed(ClientSession s, MessageStore inbox) {
        SessionFeed feed = new SessionFeed(
                s,
                (after, limit) -> inbox.read("bob", after, limit),
                16,
                64,
                Duration.ofSeconds(10),
                SessionFeed.Listener.NONE);
        s.attach(feed);
        List<Long> seqs = new CopyOnWriteArrayList<>();
        s.outbound().subscribe(o -> {
            if (o instanceof Outbound.Frame f && f.frame() instanceof ServerFrame.Msg m) { // not the pings
                seqs.add(m.seq());
            }
        });
        feed.start(0);
        return seqs;
    }

    @Test
    void pingsASessionOncePerInterval() {
        ClientSession s = open(0);

        monitor.tick(5 * SECOND);
        assertThat(s.lastPingNanos()).isZero();
        monitor.tick(10 * SECOND);
        assertThat(s.lastPingNanos()).isEqualTo(10 * SECOND);
        monitor.tick(15 * SECOND);
        assertThat(s.lastPingNanos()).isEqualTo(10 * SECOND);
    }

    @Test
    void closesASessionSilentForLongerThanTheTimeout() {
        open(0);

        monitor.tick(30 * SECOND);
        assertThat(closes).isEmpty();
        monitor.tick(30 * SECOND + 1);
        assertThat(closes).containsExactly(CloseCodes.HEARTBEAT_TIMEOUT);
    }

    @Test
    void anyFrameKeepsASessionAlive() {
        ClientSession s = open(0);
        s.touch(25 * SECOND);

        monitor.tick(50 * SECOND);

        assertThat(closes).isEmpty();
    }

    @Test
    void aTimedOutSessionLeavesPresenceWithCauseTimeout() {
        ClientSession s = open(0);
        presence.register(s.identity(), Duration.ofMinutes(1)).block();

        monitor.tick(30 * SECOND + 1);

        assertThat(presence.sessionsOf("bob").block()).isEmpty();
        presence.sweep(Duration.ZERO, 100).block();
        assertThat(presence.claimEvents("t", 10, Duration.ofMinutes(1)).block())
                .extracting(e -> e.change().cause())
                .containsExactly("connected", "timeout");
    }

    @Test
    void refreshesLiveSessionsOncePerIntervalAndRegistersAgainTheOnesPresenceLost() {
        ClientSession s = open(0);
        presence.register(s.identity(), Duration.ofMinutes(1)).block();
        presence.unregister(s.identity()).block();
        assertThat(presence.sessionsOf("bob").block()).isEmpty();

        monitor.tick(10 * SECOND);

        assertThat(presence.sessionsOf("bob").block()).containsExactly(s.identity());
    }

    @Test
    void aSessionRegisteredAgainGetsTheMessagesRoutingCouldNotForwardWhileItWasMissing() {
        MessageStore inbox = new InMemoryMessageStore();
        ClientSession s = open(0);
        List<Long> seqs = feed(s, inbox);
        // The presence entry lapsed; a message stored meanwhile found no session to be routed to.
        inbox.append(new InboundMessage("m1", "c1", "alice", "bob", System.currentTimeMillis(), new RawJson("1")))
                .block();

        monitor.tick(10 * SECOND);

        assertThat(presence.sessionsOf("bob").block()).containsExactly(s.identity());
        await().atMost(Duration.ofSeconds(5)).until(() -> seqs.equals(List.of(1L)));
    }

    @Test
    void afterTheNodesLeaseLapsedEverySessionGetsWhatRoutingSkippedMeanwhile() {
        MessageStore inbox = new InMemoryMessageStore();
        ClientSession s = open(0);
        presence.register(s.identity(), Duration.ofMinutes(1)).block();
        List<Long> seqs = feed(s, inbox);
        // The node's lease lapsed (Redis was out, the node stalled): routing treated the node as
        // gone and only stored this message. The session's own presence entry is still there.
        presence.renewLease("gw-1", Duration.ZERO).block();
        inbox.append(new InboundMessage("m1", "c1", "alice", "bob", System.currentTimeMillis(), new RawJson("1")))
                .block();

        monitor.tick(10 * SECOND);

        await().atMost(Duration.ofSeconds(5)).until(() -> seqs.equals(List.of(1L)));
    }

    @Test
    void aSessionStillBeingRegisteredIsNotRegisteredASecondTimeByTheRefresh() {
        ClientSession s = opening(0);

        monitor.tick(10 * SECOND);

        // Its own registration failed (and the session is closing): nothing may put it in presence.
        assertThat(presence.sessionsOf("bob").block()).isEmpty();
    }

    @Test
    void aSessionThatClosesWhileRegisteredAgainIsRemovedFromPresenceAgain() {
        ClientSession s = open(0);
        // Presence lost it; the refresh registers it again, but the client left meanwhile and the
        // handler's own removal ran before that registration.
        PresenceStore closingWhileRegistered = (PresenceStore) Proxy.newProxyInstance(
                PresenceStore.class.getClassLoader(), new Class<?>[] {PresenceStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("register")) {
                        s.closed(); // the client leaves while the registration is on its way
                    }
                    try {
                        return method.invoke(presence, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        HeartbeatMonitor monitor = new HeartbeatMonitor(
                registry,
                closingWhileRegistered,
                "gw-1",
                Duration.ofSeconds(10),
                Duration.ofSeconds(30),
                Duration.ofSeconds(15));

        monitor.tick(10 * SECOND);

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(
                        () -> assertThat(presence.sessionsOf("bob").block()).isEmpty());
    }
}
