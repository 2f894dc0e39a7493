package io.switchboard.inbox;

class InMemoryDeviceCursorsTest extends AbstractDeviceCursorsContractTest {

    private final DeviceCursors store = new InMemoryDeviceCursors();

    @Override
    protected DeviceCursors cursors() {
        return store;
    }
}
