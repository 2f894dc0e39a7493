package io.switchboard.offline.store;

class InMemoryMessageStoreTest extends AbstractMessageStoreContractTest {

    private final MessageStore store = new InMemoryMessageStore();

    @Override
    protected MessageStore store() {
        return store;
    }
}
