package io.switchboard.presence;

import java.time.Clock;

class InMemoryPresenceStoreTest extends AbstractPresenceStoreContractTest {

    private final InMemoryPresenceStore store = new InMemoryPresenceStore(Clock.systemUTC());

    @Override
    protected PresenceStore store() {
        return store;
    }

    @Override
    protected PresenceKeeper keeper() {
        return store;
    }

    @Override
    protected PresenceKeeper otherKeeper() {
        return store;
    }
}
