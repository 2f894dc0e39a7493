package io.switchboard.suite.fault;

import static io.switchboard.suite.fault.ProcessSuite.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/** The end of a fault run, the same for every kind of fault: let the clients settle, then check the promise. */
final class DeliveryChecks {

    private DeliveryChecks() {}

    /**
     * After sending stopped: waits until every send is acknowledged and every acknowledged message
     * delivered. If that does not happen within {@code timeout}, every client reconnects once (replay
     * from its cursor) and what arrives only then is counted as stuck (stored but never pushed).
     *
     * @return how many acknowledged messages were stuck
     */
    static int settle(
            List<FaultClient> clients, Ledger ledger, Duration timeout, Duration reconnectTimeout, Consumer<String> log)
            throws InterruptedException {
        long started = System.nanoTime();
        boolean settled = awaitCondition(
                timeout,
                () -> clients.stream().allMatch(c -> c.unackedCount() == 0)
                        && ledger.undelivered().isEmpty(),
                null);
        log.accept(String.format(
                java.util.Locale.ROOT,
                "drain: %s after %.1f s",
                settled ? "complete" : "INCOMPLETE",
                (System.nanoTime() - started) / 1e9));
        if (settled) {
            return 0;
        }
        // Stored but never pushed live? A new connection replays the inbox after the cursor: what
        // arrives then was stuck (a liveness bug), what does not was lost.
        int stuck = ledger.undelivered().size();
        log.accept(stuck + " acknowledged messages not delivered; every client reconnects");
        clients.forEach(FaultClient::reconnect);
        awaitCondition(reconnectTimeout, () -> ledger.undelivered().isEmpty(), null);
        log.accept("after the reconnects: " + ledger.undelivered().size() + " still not delivered");
        return stuck;
    }

    /**
     * 0 acknowledged messages lost, none stuck, 0 duplicates or reorderings seen by an application
     * (the clients record violations as they go), every send acknowledged, nothing misdelivered.
     */
    static void assertPromiseKept(List<FaultClient> clients, Ledger ledger, int stuck) {
        assertThat(ledger.violations()).as("delivery promise violations").isEmpty();
        assertThat(ledger.undelivered())
                .as("acknowledged messages never delivered")
                .isEmpty();
        assertThat(stuck)
                .as("acknowledged messages delivered only after a reconnect")
                .isZero();
        assertThat(ledger.deliveredButNeverAcked())
                .as("delivered messages no sender got an ack for")
                .isEmpty();
        assertThat(ledger.deliveredToTheWrongUser())
                .as("messages delivered to another user")
                .isEmpty();
        for (FaultClient c : clients) {
            assertThat(c.lastSeq())
                    .as("%s: seq runs 1..n over the n distinct messages it got", c.user())
                    .isEqualTo(c.distinctReceived());
            assertThat(c.unackedCount())
                    .as("%s: sends never acknowledged", c.user())
                    .isZero();
        }
    }
}
