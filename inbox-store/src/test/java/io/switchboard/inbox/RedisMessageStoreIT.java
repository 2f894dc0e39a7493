package io.switchboard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.protocol.RawJson;
import io.switchboard.protocol.envelope.InboundMessage;
import io.switchboard.protocol.envelope.SequencedMessage;
import io.switchboard.protocol.id.MessageIds;
import io.switchboard.redis.RedisConnection;
import io.switchboard.redis.RedisSettings;
import io.switchboard.test.TestInfra;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisMessageStoreIT extends AbstractMessageStoreContractTest {

    private static RedisConnection redis;

    @BeforeAll
    static void connect() {
        redis = RedisConnection.connect(new RedisSettings(TestInfra.redisUri()));
    }

    @AfterAll
    static void disconnect() {
        redis.close();
    }

    @Override
    protected MessageStore store() {
        return new RedisMessageStore(redis.reactive(), Duration.ofDays(2), 10_000);
    }

    @Override
    protected MessageStore cappedStore(int maxMessages) {
        return new RedisMessageStore(redis.reactive(), Duration.ofDays(2), maxMessages);
    }

    @Test
    void aBatchSpanningManyScriptCallsKeepsEachRecipientsOrderWhenRedisHasLostItsScripts() {
        // More recipients than one call carries, and one recipient with more messages than a call
        // usually carries: the batch is split over several concurrent calls.
        List<String> recipients = IntStream.range(0, RedisMessageStore.RECIPIENTS_PER_CALL * 2 + 50)
                .mapToObj(i -> user("r" + i))
                .toList();
        String heavy = user("heavy");
        int heavyCount = RedisMessageStore.MESSAGES_PER_CALL + 100;
        for (int round = 1; round <= 3; round++) {
            List<InboundMessage> batch = new java.util.ArrayList<>();
            for (int i = 0; i < 3 * recipients.size(); i++) {
                batch.add(message(recipients.get(i % recipients.size()), Integer.toString(i)));
                if (i < heavyCount) {
                    batch.add(message(heavy, Integer.toString(i)));
                }
            }
            redis.sync().scriptFlush(); // what a Redis restart does: the next calls get NOSCRIPT

            List<SequencedMessage> stored =
                    store().appendAll(batch).collectList().block();

            assertThat(stored)
                    .extracting(SequencedMessage::id)
                    .containsExactlyElementsOf(
                            batch.stream().map(InboundMessage::id).toList());
            long first = (round - 1) * 3L + 1;
            for (String r : recipients) {
                assertThat(stored.stream().filter(m -> m.to().equals(r)).map(SequencedMessage::seq))
                        .as("seqs of %s in round %d, in batch order", r, round)
                        .containsExactly(first, first + 1, first + 2);
            }
            long heavyFirst = (round - 1L) * heavyCount + 1;
            assertThat(stored.stream().filter(m -> m.to().equals(heavy)).map(SequencedMessage::seq))
                    .as("seqs of the heavy recipient in round %d", round)
                    .containsExactlyElementsOf(LongStream.range(heavyFirst, heavyFirst + heavyCount)
                            .boxed()
                            .toList());
        }
    }

    @Test
    void messagesPastTheRetentionAreReportedAsAGapWhenTheWholeInboxExpired() {
        String bob = user("bob");
        store().append(message(bob, "1")).block();
        store().append(message(bob, "2")).block();
        redis.sync().del(keys(bob)[1], keys(bob)[2]); // what expiry does after the retention

        InboxPage page = store().read(bob, 0, 100).block();

        assertThat(page.gap()).contains(new InboxPage.Gap(1, 2));
        assertThat(page.reachesEnd()).isTrue();
    }

    private static String[] keys(String user) {
        return RedisMessageStore.keys(user);
    }

    @Test
    void theCapDropsTheOldestMessagesButTheSequenceGoesOn() {
        MessageStore capped = new RedisMessageStore(redis.reactive(), Duration.ofDays(2), 3);
        String bob = user("bob");
        for (int i = 1; i <= 5; i++) {
            capped.append(message(bob, Integer.toString(i))).block();
        }

        assertThat(redis.sync().zrangeWithScores(keys(bob)[1], 0, -1))
                .extracting(v -> v.getScore())
                .containsExactly(3.0, 4.0, 5.0);
        assertThat(redis.sync().hkeys(keys(bob)[2]))
                .filteredOn(field -> !field.startsWith("\u0001"))
                .hasSize(3);
        assertThat(capped.append(message(bob, "6")).block().seq()).isEqualTo(6);
    }

    @Test
    void messagesOlderThanTheRetentionAreDroppedOnTheNextAppend() {
        MessageStore store = new RedisMessageStore(redis.reactive(), Duration.ofHours(1), 100);
        String bob = user("bob");
        long twoHoursAgo = System.currentTimeMillis() - Duration.ofHours(2).toMillis();
        store.append(new InboundMessage(MessageIds.next(), "c", "alice", bob, twoHoursAgo, new RawJson("\"old\"")))
                .block();

        store.append(message(bob, "\"new\"")).block();

        assertThat(redis.sync().zrangeWithScores(keys(bob)[1], 0, -1))
                .extracting(v -> v.getScore())
                .containsExactly(2.0);
    }

    @Test
    void aMessageStoredWithinTheRetentionIsDroppedByTheFirstAppendAfterItPassed() {
        Duration retention = Duration.ofHours(1);
        MessageStore store = new RedisMessageStore(redis.reactive(), retention, 100);
        String bob = user("bob");
        long almostAnHourAgo = System.currentTimeMillis() - retention.toMillis() + 1_500;
        store.append(new InboundMessage(MessageIds.next(), "c", "alice", bob, almostAnHourAgo, new RawJson("\"old\"")))
                .block();
        store.append(message(bob, "\"new\"")).block();
        assertThat(redis.sync().zcard(keys(bob)[1])).isEqualTo(2);

        Awaitility.await().pollDelay(Duration.ofMillis(1_600)).until(() -> true);
        store.append(message(bob, "\"newer\"")).block();

        assertThat(redis.sync().zrangeWithScores(keys(bob)[1], 0, -1))
                .extracting(v -> v.getScore())
                .containsExactly(2.0, 3.0);
    }

    @Test
    void inboxesExpireWithTheRetentionButTheSequenceNeverRestarts() {
        MessageStore store = new RedisMessageStore(redis.reactive(), Duration.ofDays(2), 100);
        String bob = user("bob");
        store.append(message(bob, "1")).block();

        assertThat(redis.sync().pttl(keys(bob)[1]))
                .isBetween(
                        Duration.ofDays(2).toMillis() - 60_000,
                        Duration.ofDays(2).toMillis());
        assertThat(redis.sync().pttl(keys(bob)[0])).isEqualTo(-1);
    }
}
