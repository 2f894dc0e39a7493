package io.switchboard.loadgen.stats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MessageLedgerTest {

    private final MessageLedger ledger = new MessageLedger(10);

    private void send(int count) {
        for (int i = 0; i < count; i++) {
            ledger.register(1000L + i);
        }
    }

    @Test
    void anAcknowledgedMessageThatNeverArrivesIsLost() {
        send(3);
        ledger.acked(0);
        ledger.acked(1);
        ledger.acked(2);
        ledger.delivered(0);
        ledger.delivered(2);

        MessageLedger.Counts counts = ledger.counts(0, 3);

        assertThat(counts.lost()).isEqualTo(1);
        assertThat(counts.delivered()).isEqualTo(2);
        assertThat(ledger.settled()).isFalse();
    }

    @Test
    void aSecondCopyIsADuplicateAndCountsOnceAsDelivered() {
        send(1);
        ledger.acked(0);

        assertThat(ledger.delivered(0)).isTrue();
        assertThat(ledger.delivered(0)).isFalse();
        assertThat(ledger.delivered(0)).isFalse();

        MessageLedger.Counts counts = ledger.counts(0, 1);
        assertThat(counts.delivered()).isEqualTo(1);
        assertThat(counts.duplicates()).isEqualTo(2);
        assertThat(counts.lost()).isZero();
        assertThat(ledger.settled()).isTrue();
    }

    @Test
    void aRefusedMessageIsNotLostEvenIfNeverDelivered() {
        send(2);
        ledger.acked(0);
        ledger.refused(1);
        ledger.delivered(0);

        MessageLedger.Counts counts = ledger.counts(0, 2);

        assertThat(counts.refused()).isEqualTo(1);
        assertThat(counts.lost()).isZero();
        assertThat(ledger.settled()).isTrue();
    }

    @Test
    void aMessageDeliveredButNeverAcknowledgedIsReportedAsSuch() {
        send(1);
        ledger.delivered(0);

        assertThat(ledger.counts(0, 1).deliveredUnacked()).isEqualTo(1);
        assertThat(ledger.settled()).as("still waiting for its ack").isFalse();
    }

    @Test
    void theFirstAnswerWinsAndLaterOnesAreIgnored() {
        send(1);
        assertThat(ledger.acked(0)).isTrue();
        assertThat(ledger.refused(0)).isFalse();
        assertThat(ledger.acked(0)).isFalse();

        assertThat(ledger.counts(0, 1).acked()).isEqualTo(1);
        assertThat(ledger.counts(0, 1).refused()).isZero();
    }

    @Test
    void framesForNumbersNeverHandedOutAreCountedAsUnknownNotDelivered() {
        send(2);

        assertThat(ledger.delivered(5)).isFalse();
        assertThat(ledger.acked(-1)).isFalse();

        assertThat(ledger.unknown()).isEqualTo(2);
        assertThat(ledger.deliveredTotal()).isZero();
    }

    @Test
    void countsCoverOnlyTheRangeAsked() {
        send(4);
        for (int n = 0; n < 4; n++) {
            ledger.acked(n);
        }
        ledger.delivered(2);
        ledger.delivered(3);

        assertThat(ledger.counts(0, 2).lost()).isEqualTo(2);
        assertThat(ledger.counts(2, 4).lost()).isZero();
        assertThat(ledger.counts(2, 4).sent()).isEqualTo(2);
    }

    @Test
    void aFullLedgerRefusesNewNumbersAndRemembersSendTimes() {
        send(10);

        assertThat(ledger.register(99)).isEqualTo(-1);
        assertThat(ledger.sent()).isEqualTo(10);
        assertThat(ledger.sentAt(3)).isEqualTo(1003);
    }
}
