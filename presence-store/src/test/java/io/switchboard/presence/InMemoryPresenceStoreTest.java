package io.switchboard.presence;

import java.time.Clock;

class InMemoryPresenceStoreTest extends AbstractPresenceStoreContractTest {

    private final PresenceStore store = new InMemoryPresenceStore(Clock.systemUTC());

    @Override
    protected PresenceStore store() {
        return store;
    }
}
