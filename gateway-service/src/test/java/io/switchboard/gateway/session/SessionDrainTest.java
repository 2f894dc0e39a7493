package io.switchboard.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.presence.PresenceSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.web.reactive.socket.CloseStatus;
import reactor.test.scheduler.VirtualTimeScheduler;

class SessionDrainTest {

    private final VirtualTimeScheduler time = VirtualTimeScheduler.getOrSet();
    private final SessionRegistry registry = new SessionRegistry();
    private final List<Object> events = new ArrayList<>();
    /** When (virtual ms since the drain began) each session's transport was closed, and how. */
    private final Map<String, Long> closedAt = new ConcurrentHashMap<>();

    private final Map<String, CloseStatus> closedWith = new ConcurrentHashMap<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @AfterEach
    void resetTime() {
        VirtualTimeScheduler.reset();
    }

    private SessionDrain drain(Duration spread, Duration timeout, Duration sendGrace) {
        return new SessionDrain(registry, new DrainProperties(spread, timeout, sendGrace), events::add, meters);
    }

    /** A session wired as the WebSocket handler wires it: a finished one closes once its queue is written. */
    private ClientSession open(String id) {
        ClientSession session = new ClientSession(new PresenceSession("u-" + id, "d", id, "gw-1", 0), 16, 0);
        session.onClose(status -> {
            closedAt.put(id, time.now(TimeUnit.MILLISECONDS));
            closedWith.put(id, status);
            registry.remove(session);
        });
        session.outbound().subscribe(null, null, () -> {
            if (session.finishing() != null) {
                session.closeTransport(session.finishing());
            }
        });
        registry.add(session);
        return session;
    }

    @Test
    void refusesTrafficAtOnceThenClosesEverySessionWith1012SpreadOverTheWindow() {
        for (int i = 0; i < 10; i++) {
            open("s" + i);
        }
        SessionDrain drain = drain(Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofSeconds(2));
        drain.start();
        List<Boolean> done = new ArrayList<>();
        drain.stop(() -> done.add(true));

        assertThat(drain.isDraining()).isTrue();
        assertThat(events)
                .singleElement()
                .satisfies(e -> assertThat(((AvailabilityChangeEvent<?>) e).getState())
                        .isEqualTo(ReadinessState.REFUSING_TRAFFIC));
        time.advanceTimeBy(Duration.ofMillis(10));
        assertThat(closedAt).hasSize(1); // the first one at once

        time.advanceTimeBy(Duration.ofSeconds(5));
        assertThat(closedAt).hasSize(10);
        assertThat(closedWith.values()).allMatch(s -> s.getCode() == 1012);
        List<Long> times = new ArrayList<>(closedAt.values());
        times.sort(null);
        for (int i = 1; i < times.size(); i++) {
            assertThat(times.get(i) - times.get(i - 1)).as("ms between closes").isBetween(450L, 550L);
        }
        time.advanceTimeBy(Duration.ofMillis(100));
        assertThat(done).containsExactly(true);
        assertThat(meters.get("switchboard.drain.duration").timer().count()).isEqualTo(1);
    }

    @Test
    void aSessionWithSendsInFlightTakesNoNewSendAndClosesOnceTheyAreAnswered() {
        ClientSession busy = open("busy");
        busy.sendStarted();
        SessionDrain drain = drain(Duration.ZERO.plusMillis(1), Duration.ofSeconds(20), Duration.ofSeconds(2));
        drain.start();
        drain.stop(() -> {});

        time.advanceTimeBy(Duration.ofMillis(500));
        assertThat(busy.isDraining()).isTrue();
        assertThat(closedAt).isEmpty();

        busy.sendFinished();
        time.advanceTimeBy(Duration.ofMillis(50));
        assertThat(closedWith.get("busy").getCode()).isEqualTo(1012);
        assertThat(closedAt.get("busy")).isBetween(500L, 550L);
    }

    @Test
    void sessionsWaitingForTheirSendsHoldUpNoOtherSession() {
        for (int i = 0; i < 10; i++) {
            open("s" + i).sendStarted(); // never answered
        }
        SessionDrain drain = drain(Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofSeconds(2));
        drain.start();
        drain.stop(() -> {});

        time.advanceTimeBy(Duration.ofSeconds(7));
        List<Long> times = new ArrayList<>(closedAt.values());
        times.sort(null);
        assertThat(times).hasSize(10);
        // each at its own slot plus the send grace: 2.0 s, 2.5 s, … 6.5 s
        for (int i = 0; i < times.size(); i++) {
            assertThat(times.get(i)).isBetween(2000L + 500L * i - 50, 2000L + 500L * i + 50);
        }
    }

    @Test
    void aSendThatIsNeverAnsweredHoldsItsSessionOnlyForTheSendGrace() {
        open("stuck").sendStarted();
        SessionDrain drain = drain(Duration.ofMillis(1), Duration.ofSeconds(20), Duration.ofSeconds(2));
        drain.start();
        drain.stop(() -> {});

        time.advanceTimeBy(Duration.ofMillis(1900));
        assertThat(closedAt).isEmpty();
        time.advanceTimeBy(Duration.ofMillis(200));
        assertThat(closedWith.get("stuck").getCode()).isEqualTo(1012);
    }

    @Test
    void sessionsAlreadyClosingTakeNoSlotSoANodeWithoutOpenSessionsStopsAtOnce() {
        for (int i = 0; i < 3; i++) {
            ClientSession closing = new ClientSession(new PresenceSession("u", "d", "c" + i, "gw-1", 0), 16, 0);
            closing.onClose(status -> time.schedule(() -> registry.remove(closing), 100, TimeUnit.MILLISECONDS));
            registry.add(closing);
            closing.close(CloseCodes.GOING_AWAY); // e.g. dropped by a crash; leaves the registry a bit later
        }
        SessionDrain drain = drain(Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofSeconds(2));
        drain.start();
        List<Boolean> done = new ArrayList<>();
        drain.stop(() -> done.add(true));

        time.advanceTimeBy(Duration.ofMillis(200));
        assertThat(done).containsExactly(true);
    }

    @Test
    void whatIsStillOpenAtTheTimeoutIsClosedAtOnce() {
        ClientSession deaf = new ClientSession(new PresenceSession("u", "d", "deaf", "gw-1", 0), 16, 0);
        // its transport never confirms the close (a client that does not answer), so it stays registered
        deaf.onClose(status -> closedWith.put("deaf", status));
        registry.add(deaf);
        SessionDrain drain = drain(Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(1));
        drain.start();
        List<Boolean> done = new ArrayList<>();
        drain.stop(() -> done.add(true));

        time.advanceTimeBy(Duration.ofMillis(2900));
        assertThat(done).isEmpty();
        time.advanceTimeBy(Duration.ofMillis(200));
        assertThat(closedWith.get("deaf").getCode()).isEqualTo(1012);
        assertThat(done).containsExactly(true);
    }
}
