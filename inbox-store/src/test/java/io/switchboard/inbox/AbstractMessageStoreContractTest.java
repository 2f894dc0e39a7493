package io.switchboard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.protocol.RawJson;
import io.switchboard.protocol.envelope.InboundMessage;
import io.switchboard.protocol.envelope.SequencedMessage;
import io.switchboard.protocol.id.MessageIds;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/** The guarantees of {@link MessageStore}, run against every implementation. */
abstract class AbstractMessageStoreContractTest {

    protected abstract MessageStore store();

    /** A store that keeps at most {@code maxMessages} per recipient. */
    protected abstract MessageStore cappedStore(int maxMessages);

    protected static String user(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    protected static InboundMessage message(String to, String body) {
        return new InboundMessage(MessageIds.next(), "c", "alice", to, System.currentTimeMillis(), new RawJson(body));
    }

    @Test
    void aRecipientsMessagesGetSeqsOneTwoThreeInListOrder() {
        String bob = user("bob");

        List<SequencedMessage> stored = store().appendAll(IntStream.rangeClosed(1, 50)
                        .mapToObj(i -> message(bob, Integer.toString(i)))
                        .toList())
                .collectList()
                .block();

        assertThat(stored).extracting(SequencedMessage::seq).containsExactlyElementsOf(oneTo(50));
        assertThat(stored)
                .extracting(m -> m.body().json())
                .containsExactlyElementsOf(
                        IntStream.rangeClosed(1, 50).mapToObj(Integer::toString).toList());
        assertThat(store().lastSeq(bob).block()).isEqualTo(50);
    }

    @Test
    void oneMessageIdSentToManyRecipientsIsStoredAndAnsweredForEachOfThem() {
        String bob = user("bob");
        String carol = user("carol");
        InboundMessage fannedOut = new InboundMessage(
                MessageIds.next(), "c", "billing", bob, System.currentTimeMillis(), new RawJson("1"), "team");
        store().append(message(carol, "\"earlier\"")).block();

        List<SequencedMessage> stored = store().appendAll(List.of(fannedOut, fannedOut.to(carol)))
                .collectList()
                .block();

        assertThat(stored).extracting(SequencedMessage::to).containsExactly(bob, carol);
        assertThat(stored).extracting(SequencedMessage::seq).containsExactly(1L, 2L);
        assertThat(stored).extracting(SequencedMessage::id).containsOnly(fannedOut.id());
        assertThat(stored).extracting(SequencedMessage::group).containsOnly("team");
        InboxPage page = store().read(carol, 1, 10).block();
        assertThat(page.messages()).extracting(SequencedMessage::group).containsExactly("team");
    }

    @Test
    void aBatchForManyRecipientsNumbersEachInListOrderAndAnswersInListOrder() {
        String bob = user("bob");
        String carol = user("carol");
        List<InboundMessage> batch = IntStream.range(0, 40)
                .mapToObj(i -> message(i % 3 == 0 ? carol : bob, Integer.toString(i)))
                .toList();

        List<SequencedMessage> stored = store().appendAll(batch).collectList().block();

        assertThat(stored)
                .extracting(SequencedMessage::id)
                .containsExactlyElementsOf(
                        batch.stream().map(InboundMessage::id).toList());
        assertThat(stored.stream().filter(m -> m.to().equals(bob)))
                .extracting(SequencedMessage::seq)
                .containsExactlyElementsOf(oneTo(26));
        assertThat(stored.stream().filter(m -> m.to().equals(carol)))
                .extracting(SequencedMessage::seq)
                .containsExactlyElementsOf(oneTo(14));
    }

    @Test
    void sequentialAppendsAreNumberedInTheOrderTheyWereMade() {
        String bob = user("bob");

        List<SequencedMessage> stored = Flux.range(1, 20)
                .concatMap(i -> store().append(message(bob, Integer.toString(i))))
                .collectList()
                .block();

        assertThat(stored).extracting(SequencedMessage::seq).containsExactlyElementsOf(oneTo(20));
    }

    @Test
    void aMessageRepeatedInsideOneBatchIsStoredOnce() {
        String bob = user("bob");
        InboundMessage first = message(bob, "1");
        InboundMessage second = message(bob, "2");

        List<SequencedMessage> stored =
                store().appendAll(List.of(first, second, first)).collectList().block();

        assertThat(stored).extracting(SequencedMessage::seq).containsExactly(1L, 2L, 1L);
        assertThat(store().lastSeq(bob).block()).isEqualTo(2);
    }

    protected static List<Long> oneTo(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> (long) i).toList();
    }

    @Test
    void appendingTheSameMessageIdAgainKeepsItsSeqAndStoresNothingNew() {
        String bob = user("bob");
        InboundMessage first = message(bob, "1");
        InboundMessage second = message(bob, "2");

        assertThat(store().append(first).block().seq()).isEqualTo(1);
        assertThat(store().append(second).block().seq()).isEqualTo(2);
        assertThat(store().append(first).block().seq()).isEqualTo(1);
        assertThat(store().lastSeq(bob).block()).isEqualTo(2);
        assertThat(store().append(message(bob, "3")).block().seq())
                .as("the repeated append took no seq")
                .isEqualTo(3);
    }

    @Test
    void recipientsHaveIndependentSequences() {
        String bob = user("bob");
        String carol = user("carol");

        store().append(message(bob, "1")).block();
        store().append(message(bob, "2")).block();

        assertThat(store().append(message(carol, "1")).block().seq()).isEqualTo(1);
        assertThat(store().lastSeq(user("nobody")).block()).isZero();
    }

    @Test
    void theStoredMessageCarriesEverythingTheRecipientNeeds() {
        String bob = user("bob");
        InboundMessage m = message(bob, "{\"text\":\"hi\"}");

        SequencedMessage s = store().append(m).block();

        assertThat(s).isEqualTo(new SequencedMessage(m.id(), 1, "alice", bob, m.ts(), m.body()));
    }

    @Test
    void aReadReturnsTheMessagesAfterTheGivenSeqInOrderAndSaysWhetherItReachedTheEnd() {
        String bob = user("bob");
        for (int i = 1; i <= 10; i++) {
            store().append(message(bob, Integer.toString(i))).block();
        }

        InboxPage first = store().read(bob, 3, 4).block();
        assertThat(first.messages()).extracting(SequencedMessage::seq).containsExactly(4L, 5L, 6L, 7L);
        assertThat(first.messages()).extracting(m -> m.body().json()).containsExactly("4", "5", "6", "7");
        assertThat(first.reachesEnd()).isFalse();
        assertThat(first.gap()).isEmpty();

        InboxPage rest = store().read(bob, 7, 4).block();
        assertThat(rest.messages()).extracting(SequencedMessage::seq).containsExactly(8L, 9L, 10L);
        assertThat(rest.reachesEnd()).isTrue();
        assertThat(rest.lastSeq()).isEqualTo(10);
    }

    @Test
    void readingAnEmptyOrUnknownInboxReachesTheEndAtOnce() {
        InboxPage page = store().read(user("nobody"), 0, 100).block();

        assertThat(page.messages()).isEmpty();
        assertThat(page.reachesEnd()).isTrue();
        assertThat(page.gap()).isEmpty();
        assertThat(page.lastSeq()).isZero();
    }

    @Test
    void messagesDroppedByTheCapBeforeAReaderGotThemAreReportedAsAGap() {
        MessageStore capped = cappedStore(3);
        String bob = user("bob");
        for (int i = 1; i <= 5; i++) {
            capped.append(message(bob, Integer.toString(i))).block();
        }

        InboxPage fromStart = capped.read(bob, 0, 100).block();
        assertThat(fromStart.gap()).contains(new InboxPage.Gap(1, 2));
        assertThat(fromStart.messages()).extracting(SequencedMessage::seq).containsExactly(3L, 4L, 5L);

        InboxPage fromTwo = capped.read(bob, 2, 100).block();
        assertThat(fromTwo.gap()).isEmpty();
        assertThat(fromTwo.messages()).extracting(SequencedMessage::seq).containsExactly(3L, 4L, 5L);

        assertThat(capped.read(bob, 5, 100).block().gap()).isEmpty();
    }
}
