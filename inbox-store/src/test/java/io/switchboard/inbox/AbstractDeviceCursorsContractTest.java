package io.switchboard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The guarantees of {@link DeviceCursors}, run against every implementation. */
abstract class AbstractDeviceCursorsContractTest {

    protected abstract DeviceCursors cursors();

    private final String bob = "bob-" + UUID.randomUUID();

    @Test
    void aDeviceThatConfirmedNothingHasCursorZero() {
        assertThat(cursors().get(bob, "phone").block()).isZero();
    }

    @Test
    void aCursorOnlyMovesForward() {
        cursors().confirm(bob, "phone", 5).block();
        cursors().confirm(bob, "phone", 3).block();
        assertThat(cursors().get(bob, "phone").block()).isEqualTo(5);

        cursors().confirm(bob, "phone", 9).block();
        assertThat(cursors().get(bob, "phone").block()).isEqualTo(9);
    }

    @Test
    void devicesOfOneUserHaveTheirOwnCursors() {
        cursors().confirm(bob, "phone", 7).block();
        cursors().confirm(bob, "laptop", 2).block();

        assertThat(cursors().get(bob, "phone").block()).isEqualTo(7);
        assertThat(cursors().get(bob, "laptop").block()).isEqualTo(2);
        assertThat(cursors().get("carol-" + UUID.randomUUID(), "phone").block()).isZero();
    }
}
