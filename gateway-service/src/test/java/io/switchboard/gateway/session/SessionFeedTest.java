package io.switchboard.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.inbox.InMemoryMessageStore;
import io.switchboard.inbox.InboxPage;
import io.switchboard.inbox.MessageStore;
import io.switchboard.presence.PresenceSession;
import io.switchboard.protocol.RawJson;
import io.switchboard.protocol.envelope.InboundMessage;
import io.switchboard.protocol.envelope.SequencedMessage;
import io.switchboard.protocol.frame.ServerFrame;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import org.springframework.web.reactive.socket.CloseStatus;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

class SessionFeedTest {

    private MessageStore store = new InMemoryMessageStore();
    private final List<ServerFrame> received = new CopyOnWriteArrayList<>();
    private final List<CloseStatus> closes = new CopyOnWriteArrayList<>();
    private int appended;

    /** A session of bob's with a {@code queue}-frame outbound queue; nothing reads the queue yet. */
    private ClientSession session(int queue) {
        ClientSession session = new ClientSession(new PresenceSession("bob", "phone", "s1", "gw-1", 0), queue, 0);
        session.onClose(closes::add);
        return session;
    }

    /** A feed for {@code session}, attached to it, not started. */
    private static SessionFeed attach(
            ClientSession session, SessionFeed.InboxReader inbox, int page, int park, Duration slowConsumerTimeout) {
        SessionFeed feed = new SessionFeed(session, inbox, page, park, slowConsumerTimeout, SessionFeed.Listener.NONE);
        session.attach(feed);
        return feed;
    }

    /** Reads bob's inbox in the store at once. */
    private SessionFeed.InboxReader inbox() {
        return (after, limit) -> store.read("bob", after, limit);
    }

    /** A feed whose session's frames are taken at once into {@link #received}. */
    private SessionFeed feed(int queue, int page) {
        ClientSession session = session(queue);
        SessionFeed feed = attach(session, inbox(), page, queue, Duration.ofSeconds(10));
        session.outbound().subscribe(o -> received.add(((Outbound.Frame) o).frame()));
        return feed;
    }

    private SequencedMessage store() {
        appended++;
        return store.append(new InboundMessage(
                        "m" + appended, "c", "alice", "bob", System.currentTimeMillis(), new RawJson("1")))
                .block();
    }

    private static ServerFrame.Msg live(SequencedMessage m) {
        return new ServerFrame.Msg(m.id(), m.seq(), m.from(), m.to(), m.ts(), m.body());
    }

    private List<Long> seqs() {
        return received.stream()
                .filter(ServerFrame.Msg.class::isInstance)
                .map(f -> ((ServerFrame.Msg) f).seq())
                .toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void aCatchUpDeliversWhatWasStoredButNeverCameLive() {
        store();
        SessionFeed feed = feed(64, 4);
        feed.start(0);
        await().until(() -> seqs().size() == 1);
        store(); // routed nowhere: the session was missing from presence
        store();

        feed.catchUp();

        await().until(() -> seqs().size() == 3);
        assertThat(seqs()).isEqualTo(range(1, 3));
        assertThat(received).noneMatch(ServerFrame.Synced.class::isInstance); // nobody asked
        assertThat(feed.onLive(live(store()))).isEqualTo(SessionFeed.Outcome.QUEUED);
        assertThat(seqs()).isEqualTo(range(1, 4));
    }

    @Test
    void replaysWhatIsStoredAfterTheResumePointThenGoesLive() {
        for (int i = 0; i < 5; i++) {
            store();
        }
        SessionFeed feed = feed(64, 4);

        feed.start(2);
        await().until(() -> seqs().size() == 3);
        assertThat(feed.onLive(live(store()))).isEqualTo(SessionFeed.Outcome.QUEUED);

        assertThat(seqs()).containsExactly(3L, 4L, 5L, 6L);
    }

    @Test
    void liveMessagesThatArriveDuringTheReplayAreDeliveredOnceInOrder() {
        SessionFeed feed = feed(64, 2);
        SequencedMessage first = store();
        SequencedMessage second = store();
        assertThat(feed.onLive(live(second))).isEqualTo(SessionFeed.Outcome.DEFERRED);
        assertThat(feed.onLive(live(first))).isEqualTo(SessionFeed.Outcome.DEFERRED);
        SequencedMessage third = store();
        feed.onLive(live(third));

        feed.start(0);
        await().until(() -> seqs().size() == 3);
        assertThat(feed.onLive(live(second))).isEqualTo(SessionFeed.Outcome.DUPLICATE);
        feed.onLive(live(store()));

        assertThat(seqs()).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void aLiveMessageAfterAHoleIsHeldUntilTheHoleIsReadFromTheInbox() {
        SessionFeed feed = feed(64, 16);
        feed.start(0);
        store();
        store(); // stored, but their live copies never came (routed before this session was visible)

        assertThat(feed.onLive(live(store()))).isEqualTo(SessionFeed.Outcome.DEFERRED);

        await().until(() -> seqs().size() == 3);
        assertThat(seqs()).containsExactly(1L, 2L, 3L);
        assertThat(feed.onLive(live(store()))).isEqualTo(SessionFeed.Outcome.QUEUED);
    }

    @Test
    void messagesDroppedByTheCapBeforeTheDeviceGotThemAreAnnouncedAsAGap() {
        store = new InMemoryMessageStore(Duration.ofDays(2), 3, Clock.systemUTC());
        for (int i = 0; i < 5; i++) {
            store();
        }
        SessionFeed feed = feed(64, 16);

        feed.start(0);

        await().until(() -> seqs().size() == 3);
        assertThat(received).startsWith(new ServerFrame.Gap(1, 2));
        assertThat(seqs()).containsExactly(3L, 4L, 5L);
    }

    @Test
    void syncSendsEverythingAfterTheGivenSeqAgainThenSynced() {
        for (int i = 0; i < 4; i++) {
            store();
        }
        SessionFeed feed = feed(64, 16);
        feed.start(0);
        await().until(() -> seqs().size() == 4);

        feed.sync(1);

        await().until(() -> received.contains(new ServerFrame.Synced(4)));
        assertThat(seqs()).containsExactly(1L, 2L, 3L, 4L, 2L, 3L, 4L);
        assertThat(feed.onLive(live(store()))).isEqualTo(SessionFeed.Outcome.QUEUED);
    }

    @Test
    void aResumePointBeyondTheInboxReplaysAllItHoldsInsteadOfSkippingIt() {
        store();
        store(); // stored after the loss that made the device's resume point stale
        SessionFeed feed = feed(64, 16);

        feed.start(500);
        await().until(() -> feed.delivered() == 2);

        assertThat(feed.onLive(live(store()))).isEqualTo(SessionFeed.Outcome.QUEUED);
        assertThat(seqs()).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aReplayLargerThanTheOutboundQueueWaitsForRoomInsteadOfClosingTheSession() {
        for (int i = 0; i < 1_000; i++) {
            store();
        }
        ClientSession session = session(32);
        SessionFeed feed = attach(session, inbox(), 8, 32, Duration.ofSeconds(10));
        // A slow reader: 1 frame every 100 µs on average, far slower than the inbox reads.
        session.outbound()
                .delayElements(Duration.ofNanos(100_000))
                .subscribe(o -> received.add(((Outbound.Frame) o).frame()));

        feed.start(0);

        await().atMost(Duration.ofSeconds(20)).until(() -> seqs().size() == 1_000);
        assertThat(seqs()).isEqualTo(range(1, 1_000));
        assertThat(closes).isEmpty();
    }

    @Test
    void aLiveBurstLargerThanTheQueueIsDeliveredInOrderWithoutClosingTheSession() {
        ClientSession session = session(32);
        SessionFeed feed = attach(session, inbox(), 8, 32, Duration.ofSeconds(10));
        session.outbound()
                .delayElements(Duration.ofNanos(100_000))
                .subscribe(o -> received.add(((Outbound.Frame) o).frame()));
        feed.start(0);

        for (int i = 0; i < 500; i++) {
            feed.onLive(live(store())); // one Kafka batch, far more than the queue holds
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> seqs().size() == 500);
        assertThat(seqs()).isEqualTo(range(1, 500));
        assertThat(closes).isEmpty();
    }

    @Test
    void aDeviceThatMakesNoRoomForTheTimeoutIsClosedAsASlowConsumer() {
        ClientSession session = session(32);
        SessionFeed feed = attach(session, inbox(), 8, 32, Duration.ofMillis(300));
        feed.start(0); // nobody reads the outbound queue

        for (int i = 0; i < 100; i++) {
            feed.onLive(live(store()));
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> !closes.isEmpty());
        assertThat(closes).containsExactly(CloseCodes.SLOW_CONSUMER);
        assertThat(session.queued()).isLessThanOrEqualTo(32);
    }

    @Test
    void aDeviceThatReadsSlowlyButSteadilyIsNotClosedAsASlowConsumer() {
        for (int i = 0; i < 32; i++) {
            store();
        }
        ClientSession session = session(32);
        SessionFeed feed = attach(session, inbox(), 8, 8, Duration.ofSeconds(1));
        // A frame every 200 ms: making room for the next page (8 frames) takes longer than the
        // timeout, but the device never stops reading.
        readOneFrameEvery(session, Duration.ofMillis(200));

        feed.start(0);

        await().atMost(Duration.ofSeconds(20)).until(() -> seqs().size() == 32 || !closes.isEmpty());
        assertThat(closes).isEmpty();
        assertThat(seqs()).isEqualTo(range(1, 32));
    }

    @Test
    void liveMessagesForADeviceWhoseQueueIsFullStayInTheInboxNotInMemory() {
        ClientSession session = session(32);
        SessionFeed feed = attach(session, inbox(), 8, 8, Duration.ofSeconds(10));
        feed.start(0); // nobody reads yet

        for (int i = 0; i < 200; i++) {
            feed.onLive(live(store()));
        }

        assertThat(session.queued()).isLessThanOrEqualTo(32);
        assertThat(feed.parked())
                .as("live messages held in memory besides the queue")
                .isZero();
        session.outbound().subscribe(o -> received.add(((Outbound.Frame) o).frame()));
        await().atMost(Duration.ofSeconds(10)).until(() -> seqs().size() == 200);
        assertThat(seqs()).isEqualTo(range(1, 200));
        assertThat(closes).isEmpty();
    }

    @Test
    void aResumePointBeyondTheInboxCannotBeConfirmed() {
        store();
        Sinks.One<Boolean> inboxAnswers = Sinks.one();
        SessionFeed feed = attach(
                session(64),
                (after, limit) -> inboxAnswers.asMono().then(store.read("bob", after, limit)),
                16,
                16,
                Duration.ofSeconds(10));

        feed.start(500); // a stale resume point: the store holds seq 1 only
        assertThat(feed.confirmable()).as("before the inbox was read").isZero();
        inboxAnswers.tryEmitValue(true);

        await().until(() -> feed.delivered() == 1);
        assertThat(feed.confirmable()).isEqualTo(1);
    }

    @Test
    void everySyncIsAnsweredWithItsOwnSynced() {
        store();
        store();
        SessionFeed feed = feedReadingSlowly(Duration.ofMillis(50));
        feed.start(0);

        feed.sync(0); // both while the replay's first read is on its way
        feed.sync(1);

        await().atMost(Duration.ofSeconds(5))
                .until(() -> received.stream()
                                .filter(ServerFrame.Synced.class::isInstance)
                                .count()
                        == 2);
        assertThat(seqs()).isEqualTo(List.of(1L, 2L));
    }

    @Test
    void liveMessagesParkedDuringAReplayDoNotFillTheReserveForRepliesAndPings() {
        for (int i = 0; i < 24; i++) {
            store();
        }
        ClientSession session = session(32);
        AtomicInteger reads = new AtomicInteger();
        Sinks.Empty<Void> lastPageHeld = Sinks.empty();
        SessionFeed.InboxReader thirdPageHeld = (after, limit) -> {
            InboxPage page = store.read("bob", after, limit).block(); // the snapshot, taken now
            return reads.incrementAndGet() == 3 ? lastPageHeld.asMono().thenReturn(page) : Mono.just(page);
        };
        SessionFeed feed = attach(session, thirdPageHeld, 8, 8, Duration.ofSeconds(10));
        feed.start(0); // nobody reads yet: two pages queued, the third (seqs 17-24) on its way
        for (int i = 0; i < 8; i++) {
            feed.onLive(live(store())); // stored after the third page's snapshot: parked
        }
        lastPageHeld.tryEmitEmpty();
        // The third page takes the queue to 24 of 32; the 8 parked would take it to the brim.
        await().atMost(Duration.ofSeconds(5)).until(() -> feed.delivered() >= 24);

        assertThat(session.send(new ServerFrame.Pong()))
                .as("a reply still fits")
                .isTrue();
        assertThat(closes).isEmpty();
        session.outbound().subscribe(o -> received.add(((Outbound.Frame) o).frame()));
        await().atMost(Duration.ofSeconds(5)).until(() -> seqs().size() == 32);
        assertThat(seqs()).isEqualTo(range(1, 32));
    }

    /** A client on a slow link: takes one frame, then the next only {@code interval} later. */
    private void readOneFrameEvery(ClientSession session, Duration interval) {
        session.outbound().subscribe(new BaseSubscriber<Outbound>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                request(1);
            }

            @Override
            protected void hookOnNext(Outbound o) {
                received.add(((Outbound.Frame) o).frame());
                Schedulers.parallel().schedule(() -> request(1), interval.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    private SessionFeed feedReadingSlowly(Duration readTime) {
        ClientSession session = session(64);
        SessionFeed feed = attach(
                session,
                (after, limit) -> Mono.delay(readTime).then(store.read("bob", after, limit)),
                16,
                16,
                Duration.ofSeconds(10));
        session.outbound().subscribe(o -> received.add(((Outbound.Frame) o).frame()));
        return feed;
    }
}
