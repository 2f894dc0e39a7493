package io.switchboard.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The guarantees of {@link PresenceStore}, run against every implementation. */
abstract class AbstractPresenceStoreContractTest {

    private static final Duration LONG = Duration.ofMinutes(1);

    protected abstract PresenceStore store();

    private static String user() {
        return "u-" + UUID.randomUUID();
    }

    private static PresenceSession session(String user, String device, String node, long since) {
        return new PresenceSession(user, device, "s-" + UUID.randomUUID(), node, since);
    }

    @Test
    void aRegisteredSessionIsVisibleAtOnce() {
        String user = user();
        PresenceSession phone = session(user, "phone", "gw-1", 1000);
        PresenceSession web = session(user, "web", "gw-2", 2000);

        store().register(phone, LONG).block();
        store().register(web, LONG).block();

        assertThat(store().sessionsOf(user).block()).containsExactly(phone, web);
    }

    @Test
    void anUnknownUserHasNoSessions() {
        assertThat(store().sessionsOf(user()).block()).isEmpty();
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
    void aSessionThatIsNotRefreshedExpires() {
        String user = user();
        PresenceSession s = session(user, "phone", "gw-1", 1000);
        store().register(s, Duration.ofMillis(300)).block();

        await().atMost(Duration.ofSeconds(3))
                .until(() -> store().sessionsOf(user).block().isEmpty());
    }

    @Test
    void refreshKeepsASessionAliveAndDoesNotReviveExpiredOnes() {
        String user = user();
        PresenceSession kept = session(user, "phone", "gw-1", 1000);
        PresenceSession lapsed = session(user, "web", "gw-1", 2000);
        store().register(kept, Duration.ofMillis(400)).block();
        store().register(lapsed, Duration.ofMillis(100)).block();
        await().atMost(Duration.ofSeconds(2))
                .until(() -> store().sessionsOf(user).block().equals(List.of(kept)));

        store().refresh(List.of(kept, lapsed), LONG).block();

        // for longer than kept's first life: only the refresh keeps it
        await().during(Duration.ofMillis(600))
                .atMost(Duration.ofSeconds(2))
                .until(() -> store().sessionsOf(user).block().equals(List.of(kept)));
    }
}
