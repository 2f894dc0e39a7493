package io.switchboard.inbox;

import java.time.Clock;
import java.time.Duration;

class InMemoryMessageStoreTest extends AbstractMessageStoreContractTest {

    private final MessageStore store = new InMemoryMessageStore();

    @Override
    protected MessageStore store() {
        return store;
    }

    @Override
    protected MessageStore cappedStore(int maxMessages) {
        return new InMemoryMessageStore(Duration.ofDays(2), maxMessages, Clock.systemUTC());
    }
}
