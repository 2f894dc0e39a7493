package io.switchboard.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.presence.PresenceSession;
import org.junit.jupiter.api.Test;

class SessionRegistryTest {

    private final SessionRegistry registry = new SessionRegistry();

    private static ClientSession session(String user, String id) {
        return new ClientSession(new PresenceSession(user, "d", id, "gw-1", 0), 8, 0);
    }

    @Test
    void findsEverySessionOfAUser() {
        ClientSession phone = session("bob", "s1");
        ClientSession web = session("bob", "s2");
        registry.add(phone);
        registry.add(web);
        registry.add(session("carol", "s3"));

        assertThat(registry.sessionsOf("bob")).containsExactly(phone, web);
        assertThat(registry.size()).isEqualTo(3);
        assertThat(registry.sessionsOf("nobody")).isEmpty();
    }

    @Test
    void removingAnOldSessionLeavesTheNewOne() {
        ClientSession old = session("bob", "s1");
        ClientSession reconnected = session("bob", "s2");
        registry.add(old);
        registry.add(reconnected);

        registry.remove(old);
        registry.remove(old);

        assertThat(registry.sessionsOf("bob")).containsExactly(reconnected);
    }

    @Test
    void theLastRemovalForgetsTheUser() {
        ClientSession s = session("bob", "s1");
        registry.add(s);
        registry.remove(s);

        assertThat(registry.sessionsOf("bob")).isEmpty();
        assertThat(registry.size()).isZero();
    }
}
