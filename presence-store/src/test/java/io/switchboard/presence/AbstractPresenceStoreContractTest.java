package io.switchboard.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.presence.PresenceKeeper.OutboxEvent;
import io.switchboard.protocol.envelope.PresenceChange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * The guarantees of {@link PresenceStore} and {@link PresenceKeeper}, run against every
 * implementation. The store may be shared with other tests (one Redis per test JVM): every test uses
 * its own users and nodes, and looks only at their events.
 */
abstract class AbstractPresenceStoreContractTest {

    private static final Duration LONG = Duration.ofMinutes(1);
    private static final Duration GRACE = Duration.ofMillis(300);
    private static final Duration WAIT = Duration.ofSeconds(5);

    /** Every event claimed by any test of this JVM, so that one test's claim never hides another's event. */
    private static final List<PresenceChange> PUBLISHED = new CopyOnWriteArrayList<>();

    protected abstract PresenceStore store();

    protected abstract PresenceKeeper keeper();

    /** A second handle on the same data, as another presence-service instance would have. */
    protected abstract PresenceKeeper otherKeeper();

    private static String user() {
        return "u-" + UUID.randomUUID();
    }

    private static String node() {
        return "gw-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static PresenceSession session(String user, String device, String node, long since) {
        return new PresenceSession(user, device, "s-" + UUID.randomUUID(), node, since);
    }

    private void publishAll() {
        List<OutboxEvent> events;
        do {
            events = keeper().claimEvents("test", 1000, LONG).block();
            events.forEach(e -> PUBLISHED.add(e.change()));
            keeper().acknowledge(events).block();
        } while (!events.isEmpty());
    }

    private List<PresenceChange> eventsOf(String user) {
        publishAll();
        return PUBLISHED.stream().filter(c -> c.user().equals(user)).toList();
    }

    private void sweepUntilIdle() {
        while (keeper().sweep(GRACE, 1000).block().more()) {
            // keep going
        }
    }

    private boolean online(String user) {
        return store().presenceOf(user).block().online();
    }

    @Test
    void aRegisteredSessionIsVisibleAtOnce() {
        String user = user();
        PresenceSession phone = session(user, "phone", "gw-1", 1000);
        PresenceSession web = session(user, "web", "gw-2", 2000);

        store().register(phone, LONG).block();
        store().register(web, LONG).block();

        assertThat(store().sessionsOf(user).block()).containsExactly(phone, web);
        UserPresence presence = store().presenceOf(user).block();
        assertThat(presence.online()).isTrue();
        assertThat(presence.sessions()).extracting(LiveSession::session).containsExactly(phone, web);
        assertThat(presence.lastSeen()).isPositive();
    }

    @Test
    void manyUsersSessionsAreLookedUpTogetherOfflineOnesIncluded() {
        String node = node();
        store().renewLease(node, LONG).block();
        List<PresenceSession> phones = IntStream.range(0, 600)
                .mapToObj(i -> session(user(), "phone", node, 1))
                .toList();
        List<String> online = phones.stream().map(PresenceSession::userId).toList();
        Flux.fromIterable(phones).flatMap(p -> store().register(p, LONG), 64).blockLast();
        PresenceSession secondDevice = session(online.get(0), "web", node, 2);
        store().register(secondDevice, LONG).block();
        String offline = user();
        List<String> asked = new ArrayList<>(online);
        asked.add(offline);
        asked.add(online.get(1)); // asked twice

        Map<String, List<PresenceSession>> found = store().sessionsOf(asked).block();

        assertThat(found).hasSize(601).containsEntry(offline, List.of());
        assertThat(found.get(online.get(0))).containsExactly(phones.get(0), secondDevice);
        assertThat(phones).allSatisfy(p -> assertThat(found.get(p.userId())).contains(p));
    }

    @Test
    void anUnknownUserHasNoSessionsAndNoStatus() {
        String user = user();
        assertThat(store().sessionsOf(user).block()).isEmpty();
        assertThat(store().presenceOf(user).block()).isEqualTo(new UserPresence(user, false, 0, List.of()));
        assertThat(store().statusOf(List.of(user)).block()).containsExactly(PresenceStatus.unknown(user));
    }

    @Test
    void unregisterRemovesOnlyThatSession() {
        String user = user();
        PresenceSession old = session(user, "phone", "gw-1", 1000);
        PresenceSession reconnected = session(user, "phone", "gw-2", 2000);
        store().register(old, LONG).block();
        store().register(reconnected, LONG).block();

        store().unregister(old).block();
        store().unregister(old).block();

        assertThat(store().sessionsOf(user).block()).containsExactly(reconnected);
    }

    @Test
    void aSessionThatIsNotRefreshedExpiresAndTheSweepAnnouncesATimeout() {
        String user = user();
        PresenceSession s = session(user, "phone", node(), 1000);
        store().register(s, Duration.ofMillis(300)).block();

        await().atMost(WAIT).until(() -> store().sessionsOf(user).block().isEmpty());
        await().atMost(WAIT).until(() -> {
            sweepUntilIdle();
            return eventsOf(user).size() == 2;
        });

        List<PresenceChange> events = eventsOf(user);
        assertThat(events.get(0).online()).isTrue();
        assertThat(events.get(1).online()).isFalse();
        assertThat(events.get(1).cause()).isEqualTo("timeout");
        assertThat(events.get(1).version()).isEqualTo(events.get(0).version() + 1);
    }

    @Test
    void refreshKeepsASessionAliveAndReturnsTheOnesItNoLongerKnows() {
        String user = user();
        PresenceSession kept = session(user, "phone", "gw-1", 1000);
        PresenceSession lapsed = session(user, "web", "gw-1", 2000);
        PresenceSession closed = session(user, "tablet", "gw-1", 3000);
        store().register(kept, Duration.ofMillis(2000)).block();
        store().register(lapsed, Duration.ofMillis(100)).block();
        store().register(closed, LONG).block();
        store().unregister(closed).block();
        await().atMost(WAIT).until(() -> store().sessionsOf(user).block().equals(List.of(kept)));

        List<PresenceSession> missing = store().refresh(
                        List.of(new SessionBeat(kept, 250), new SessionBeat(lapsed, 0), new SessionBeat(closed, 0)),
                        LONG)
                .block();

        assertThat(missing).containsExactlyInAnyOrder(lapsed, closed);
        // for longer than kept's first life: only the refresh keeps it
        await().during(Duration.ofMillis(2500))
                .atMost(WAIT)
                .until(() -> store().sessionsOf(user).block().equals(List.of(kept)));
        LiveSession live = store().presenceOf(user).block().sessions().get(0);
        assertThat(live.lastSeen()).isLessThan(System.currentTimeMillis() - 250);
    }

    @Test
    void aRefreshOfManySessionsReachesEveryOne() {
        List<SessionBeat> beats = new ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            beats.add(new SessionBeat(session(user(), "d", "gw-1", i), 0));
        }
        Flux.fromIterable(beats)
                .flatMap(b -> store().register(b.session(), LONG), 64)
                .blockLast();

        // a short time to live for all: only a refresh that reached each one makes them all expire
        assertThat(store().refresh(beats, Duration.ofMillis(300)).block()).isEmpty();

        await().atMost(WAIT)
                .until(() -> beats.stream()
                        .allMatch(b ->
                                store().sessionsOf(b.session().userId()).block().isEmpty()));
    }

    @Test
    void aUserIsOnlineOnceWhateverTheNumberOfDevicesAndOfflineOnceAfterTheGrace() {
        String user = user();
        PresenceSession phone = session(user, "phone", "gw-1", 1000);
        PresenceSession web = session(user, "web", "gw-2", 2000);
        store().register(phone, LONG).block();
        store().register(web, LONG).block();

        store().unregister(phone).block();
        assertThat(online(user)).isTrue();
        long closedAt = System.currentTimeMillis();
        store().unregister(web).block();
        assertThat(online(user)).isFalse();
        // announced online until the grace passes
        assertThat(store().statusOf(List.of(user)).block().get(0).online()).isTrue();

        await().atMost(WAIT).until(() -> {
            sweepUntilIdle();
            return eventsOf(user).size() == 2;
        });
        sweepUntilIdle();

        List<PresenceChange> events = eventsOf(user);
        assertThat(events).extracting(PresenceChange::online).containsExactly(true, false);
        assertThat(events).extracting(PresenceChange::cause).containsExactly("connected", "closed");
        assertThat(events).extracting(PresenceChange::version).containsExactly(1L, 2L);
        assertThat(events.get(1).at()).isBetween(closedAt - 1000, closedAt + 1000);
        PresenceStatus status = store().statusOf(List.of(user)).block().get(0);
        assertThat(status.online()).isFalse();
        assertThat(status.version()).isEqualTo(2);
        assertThat(store().presenceOf(user).block().lastSeen()).isEqualTo(status.lastSeen());
    }

    @Test
    void aReconnectWithinTheGraceAnnouncesNothing() throws Exception {
        String user = user();
        PresenceSession first = session(user, "phone", "gw-1", 1000);
        store().register(first, LONG).block();
        store().unregister(first).block();
        sweepUntilIdle();

        store().register(session(user, "phone", "gw-2", 2000), LONG).block();
        Thread.sleep(GRACE.toMillis() * 2);
        sweepUntilIdle();

        assertThat(eventsOf(user)).extracting(PresenceChange::online).containsExactly(true);
        assertThat(store().statusOf(List.of(user)).block().get(0).online()).isTrue();
    }

    @Test
    void aLapsedNodeLeaseHidesItsSessionsAtOnceAndTheSweepRemovesThemAsNodeLost() {
        String node = node();
        String otherNode = node();
        store().renewLease(node, Duration.ofMillis(400)).block();
        store().renewLease(otherNode, LONG).block();
        String alone = user();
        String twoNodes = user();
        store().register(session(alone, "d", node, 1), LONG).block();
        store().register(session(twoNodes, "d", node, 1), LONG).block();
        PresenceSession elsewhere = session(twoNodes, "web", otherNode, 2);
        store().register(elsewhere, LONG).block();

        await().atMost(WAIT).until(() -> !online(alone));
        assertThat(store().sessionsOf(twoNodes).block()).containsExactly(elsewhere);

        await().atMost(WAIT).until(() -> {
            sweepUntilIdle();
            return eventsOf(alone).size() == 2;
        });
        assertThat(eventsOf(alone).get(1).cause()).isEqualTo("node-lost");
        assertThat(eventsOf(twoNodes)).hasSize(1);
        assertThat(keeper().stats().block().sessionsByNode()).doesNotContainKey(node);
        // swept for good: a renewal does not bring them back
        store().renewLease(node, LONG).block();
        assertThat(online(alone)).isFalse();
    }

    @Test
    void aNodeThatReleasesItsLeaseWithSessionsLeftHasThemRemovedAsNodeLost() {
        String node = node();
        String user = user();
        store().renewLease(node, LONG).block();
        store().register(session(user, "d", node, 1), LONG).block();

        // The node stops; one of its sessions could not be removed (Redis briefly unreachable).
        store().releaseLease(node).block();

        assertThat(online(user))
                .as("hidden at once, not for the session's own lifetime")
                .isFalse();
        await().atMost(WAIT).until(() -> {
            sweepUntilIdle();
            return eventsOf(user).size() == 2;
        });
        assertThat(eventsOf(user).get(1).cause()).isEqualTo("node-lost");
        assertThat(keeper().stats().block().sessionsByNode()).doesNotContainKey(node);
    }

    @Test
    void aLeaseRenewedBeforeTheSweepKeepsItsSessions() throws Exception {
        String node = node();
        String user = user();
        store().renewLease(node, Duration.ofMillis(200)).block();
        store().register(session(user, "d", node, 1), LONG).block();
        await().atMost(WAIT).until(() -> !online(user));

        assertThat(store().renewLease(node, LONG).block()).isFalse();

        assertThat(online(user)).isTrue();
        assertThat(store().renewLease(node, LONG).block()).isTrue();
    }

    @Test
    void sweepsRunningAtOnceAnnounceEachTransitionOnce() {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String user = user();
            users.add(user);
            store().register(session(user, "d", "gw-1", i), Duration.ofMillis(200))
                    .block();
        }
        await().atMost(WAIT).until(() -> users.stream().noneMatch(this::online));

        await().atMost(WAIT).until(() -> {
            Flux.merge(
                            Flux.range(0, 20)
                                    .concatMap(i -> keeper().sweep(Duration.ZERO, 7))
                                    .subscribeOn(Schedulers.parallel()),
                            Flux.range(0, 20)
                                    .concatMap(i -> otherKeeper().sweep(Duration.ZERO, 7))
                                    .subscribeOn(Schedulers.parallel()))
                    .blockLast();
            return users.stream().allMatch(u -> eventsOf(u).size() == 2);
        });

        for (String user : users) {
            assertThat(eventsOf(user)).extracting(PresenceChange::online).containsExactly(true, false);
        }
    }

    @Test
    void anEventIsClaimedByOneConsumerAndReclaimedOnlyWhenAbandoned() throws Exception {
        publishAll();
        String user = user();
        store().register(session(user, "d", "gw-1", 1), LONG).block();

        List<OutboxEvent> mine = keeper().claimEvents("a", 1000, LONG).block();
        assertThat(mine).extracting(e -> e.change().user()).contains(user);
        assertThat(otherKeeper().claimEvents("b", 1000, LONG).block()).isEmpty();

        Thread.sleep(300);
        List<OutboxEvent> reclaimed =
                otherKeeper().claimEvents("b", 1000, Duration.ofMillis(200)).block();
        assertThat(reclaimed)
                .extracting(OutboxEvent::id)
                .containsExactlyElementsOf(mine.stream().map(OutboxEvent::id).toList());
        otherKeeper().acknowledge(reclaimed).block();
        reclaimed.forEach(e -> PUBLISHED.add(e.change()));

        Thread.sleep(300);
        assertThat(keeper().claimEvents("a", 1000, Duration.ofMillis(200)).block())
                .isEmpty();
    }
}
