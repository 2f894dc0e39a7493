package io.switchboard.inbox;

class InMemorySendLedgerTest extends AbstractSendLedgerContractTest {

    private final SendLedger store = new InMemorySendLedger();

    @Override
    protected SendLedger ledger() {
        return store;
    }
}
