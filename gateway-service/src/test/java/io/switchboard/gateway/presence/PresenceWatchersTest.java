package io.switchboard.gateway.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.gateway.session.ClientSession;
import io.switchboard.gateway.session.Outbound;
import io.switchboard.presence.InMemoryPresenceStore;
import io.switchboard.presence.PresenceSession;
import io.switchboard.presence.PresenceStore;
import io.switchboard.protocol.envelope.PresenceChange;
import io.switchboard.protocol.envelope.PresenceChangeCodec;
import io.switchboard.protocol.frame.ErrorCode;
import io.switchboard.protocol.frame.ServerFrame;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class PresenceWatchersTest {

    private final InMemoryPresenceStore store = new InMemoryPresenceStore(Clock.systemUTC());
    private final PresenceChangeCodec codec = new PresenceChangeCodec();
    private final List<ServerFrame> sent = new ArrayList<>();
    private final ClientSession console = session("console", 64);

    private ClientSession session(String user, int queue) {
        ClientSession s = new ClientSession(new PresenceSession(user, "web", "s-" + user, "gw-1", 0), queue, 0);
        s.outbound().subscribe(item -> {
            if (item instanceof Outbound.Frame f) {
                sent.add(f.frame());
            }
        });
        return s;
    }

    private PresenceWatchers watchers(int max, PresenceWatchPolicy policy) {
        return new PresenceWatchers(store, policy, max, new SimpleMeterRegistry());
    }

    private ConsumerRecord<String, byte[]> record(PresenceChange change) {
        return new ConsumerRecord<>("switchboard.presence", 0, 0, change.user(), codec.encode(change));
    }

    private List<ServerFrame.Presence> presenceFrames() {
        return sent.stream()
                .filter(ServerFrame.Presence.class::isInstance)
                .map(ServerFrame.Presence.class::cast)
                .toList();
    }

    @Test
    void aSubscribeIsAnsweredWithEachUsersStatusThenChangesFollowInVersionOrder() {
        store.register(new PresenceSession("bob", "d", "s1", "gw-2", 1), Duration.ofMinutes(1))
                .block();
        PresenceWatchers watchers = watchers(10, PresenceWatchPolicy.ANYONE);

        watchers.subscribe(console, List.of("alice", "bob")).block();
        watchers.handle(List.of(
                        record(new PresenceChange("alice", true, 100, "connected", 100, 1)),
                        record(new PresenceChange("bob", true, 50, "connected", 50, 1)), // already sent
                        record(new PresenceChange("alice", false, 90, "closed", 90, 0)), // older
                        record(new PresenceChange("carol", true, 100, "connected", 100, 1)))) // not watched
                .block();

        assertThat(presenceFrames())
                .extracting(f -> f.user() + ":" + f.online())
                .containsExactly("alice:false", "bob:true", "alice:true");
    }

    @Test
    void aChangeThatArrivesWhileTheSnapshotIsReadIsNotSentAgainByTheSnapshot() {
        store.register(new PresenceSession("bob", "d", "s1", "gw-2", 1), Duration.ofMinutes(1))
                .block();
        PresenceChange bobConnected = new PresenceChange("bob", true, 50, "connected", 50, 1);
        PresenceWatchers[] watchers = new PresenceWatchers[1];
        PresenceStore snapshotAfterTheChange = storeReadingSnapshotsAfter(
                () -> watchers[0].handle(List.of(record(bobConnected))).block());
        watchers[0] =
                new PresenceWatchers(snapshotAfterTheChange, PresenceWatchPolicy.ANYONE, 10, new SimpleMeterRegistry());

        watchers[0].subscribe(console, List.of("bob")).block();
        assertThat(presenceFrames())
                .extracting(f -> f.user() + ":" + f.online())
                .containsExactly("bob:true");

        // Subscribing again is answered again, though nothing changed.
        watchers[0].subscribe(console, List.of("bob")).block();
        assertThat(presenceFrames())
                .extracting(f -> f.user() + ":" + f.online())
                .containsExactly("bob:true", "bob:true");
    }

    /** The in-memory store, but {@code beforeSnapshot} runs as each snapshot is read. */
    private PresenceStore storeReadingSnapshotsAfter(Runnable beforeSnapshot) {
        return (PresenceStore) Proxy.newProxyInstance(
                PresenceStore.class.getClassLoader(), new Class<?>[] {PresenceStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("statusOf")) {
                        beforeSnapshot.run();
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void unsubscribedAndForgottenSessionsGetNothingMore() {
        PresenceWatchers watchers = watchers(10, PresenceWatchPolicy.ANYONE);
        watchers.subscribe(console, List.of("alice", "bob")).block();
        watchers.unsubscribe(console, List.of("alice"));
        assertThat(watchers.subscriptions()).isEqualTo(1);
        watchers.forget(console);
        assertThat(watchers.subscriptions()).isZero();

        watchers.handle(List.of(record(new PresenceChange("bob", true, 1, "connected", 1, 1))))
                .block();

        assertThat(presenceFrames()).hasSize(2); // the two answers to the subscribe only
    }

    @Test
    void aSessionMayNotWatchMoreThanItsLimitAndTheRefusedPartOfAPolicyIsReported() {
        PresenceWatchers watchers = watchers(
                2,
                (watcher, users) ->
                        Mono.just(users.stream().filter(u -> !u.equals("ceo")).toList()));

        watchers.subscribe(console, List.of("a", "b", "c")).block();
        watchers.subscribe(console, List.of("a", "ceo")).block();

        assertThat(sent)
                .filteredOn(ServerFrame.Error.class::isInstance)
                .extracting(f -> ((ServerFrame.Error) f).code())
                .containsExactly(ErrorCode.TOO_MANY_SUBSCRIPTIONS, ErrorCode.FORBIDDEN);
        assertThat(watchers.subscriptions()).isEqualTo(1);
    }

    @Test
    void aBurstOfChangesNeverOverflowsTheWatchersQueue() {
        ClientSession slow = new ClientSession(new PresenceSession("slow", "web", "s-slow", "gw-1", 0), 16, 0);
        PresenceWatchers watchers = watchers(1000, PresenceWatchPolicy.ANYONE);
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            users.add("agent" + i);
        }

        watchers.subscribe(slow, users).block();

        assertThat(slow.isClosed()).isFalse();
        assertThat(slow.queued()).isLessThanOrEqualTo(8);
    }
}
