package io.switchboard.gateway.session;

import io.switchboard.inbox.InboxPage;
import io.switchboard.protocol.envelope.SequencedMessage;
import io.switchboard.protocol.frame.ServerFrame;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The ordered stream of one session's messages: it replays what the user's inbox holds after the
 * device's cursor, then hands over to live deliveries, and guarantees that the session gets every
 * seq once, in order, with {@code gap} frames for seqs that retention or the cap dropped.
 *
 * <p>The inbox (the store) is the source of truth; live deliveries from the node topic are a fast
 * path. A live message is queued at once when it is the next seq; an older one is a duplicate and
 * dropped; a newer one means something is missing, so the feed catches up from the inbox first.
 * While it catches up, live messages wait in a bounded parking area (if it overflows they are
 * dropped and read from the inbox instead, since every routed message was stored first). Nothing is
 * parked while the outbound queue is too full to take a page: those messages are read from the inbox
 * once there is room, so a slow device holds at most its queue in memory, not a second copy of its
 * backlog.
 *
 * <p>Both paths respect the outbound queue: a live message that finds the queue nearly full, and
 * every replay page, waits for room (the message is in the inbox, so waiting costs no memory), so a
 * burst or a slow network slows the device's stream instead of disconnecting it. The feed checks for
 * room on a timer that backs off from 2 to 100 ms while the device takes nothing, and starts again
 * at 2 ms whenever it does. A device that takes nothing from its queue for {@code
 * slowConsumerTimeout} cannot keep up: it is closed with {@link CloseCodes#SLOW_CONSUMER} (4008) and
 * resumes from its cursor when it reconnects. One that keeps reading, however slowly, is not closed.
 *
 * <p>Thread-safe: live deliveries (Kafka thread), inbox replies (Redis thread), {@code sync}
 * requests (event loop) and retries (timer) may arrive concurrently; state changes happen under this
 * object's lock and nothing blocks.
 */
public final class SessionFeed {

    /** Reads the session user's inbox. */
    @FunctionalInterface
    public interface InboxReader {
        Mono<InboxPage> read(long after, int limit);
    }

    /** What became of a live delivery. */
    public enum Outcome {
        QUEUED,
        DUPLICATE,
        /** Held while the feed catches up from the inbox; it will be queued in order. */
        DEFERRED,
        CLOSED
    }

    /** Counts what the feed does, for the node's meters. */
    public interface Listener {
        void replayed(int messages);

        void gap(long messages);

        Listener NONE = new Listener() {
            @Override
            public void replayed(int messages) {}

            @Override
            public void gap(long messages) {}
        };
    }

    private static final Logger log = LoggerFactory.getLogger(SessionFeed.class);
    private static final long ROOM_CHECK_MIN_NANOS = Duration.ofMillis(2).toNanos();
    private static final long ROOM_CHECK_MAX_NANOS = Duration.ofMillis(100).toNanos();
    private static final Duration READ_RETRY_MIN = Duration.ofMillis(100);
    private static final Duration READ_RETRY_MAX = Duration.ofSeconds(5);

    private final ClientSession session;
    private final InboxReader inbox;
    private final int pageSize;
    private final int parkLimit;
    private final Listener listener;
    private final long slowConsumerTimeoutNanos;

    // Guarded by this.
    private long delivered;
    private boolean catchingUp = true;
    private boolean started;
    /** Live messages waiting for the catch-up; created when one first waits, dropped at the hand-over. */
    private ArrayDeque<ServerFrame.Msg> parked;

    private boolean parkOverflowed;
    private long syncAfter = -1;
    /**
     * {@code sync} requests to answer with a {@code synced} each, once the catch-up they started is
     * done (never while one is still waiting to start: {@link #syncAfter} is then set).
     */
    private int syncAnswersOwed;
    /** The highest seq this session may confirm: validated against the inbox, or sent on it. */
    private long confirmable;

    private Duration readRetry = READ_RETRY_MIN;
    /** When the device last made progress while the feed waited for room; -1 when not waiting. */
    private long waitingForRoomSince = -1;

    private long takenWhenChecked;
    private long roomCheckNanos = ROOM_CHECK_MIN_NANOS;

    /**
     * @param pageSize messages per inbox read; a page is read only when the outbound queue has at
     *     least twice this much room
     */
    public SessionFeed(
            ClientSession session,
            InboxReader inbox,
            int pageSize,
            int parkLimit,
            Duration slowConsumerTimeout,
            Listener listener) {
        this.session = session;
        this.slowConsumerTimeoutNanos = slowConsumerTimeout.toNanos();
        this.inbox = inbox;
        this.pageSize = pageSize;
        this.parkLimit = parkLimit;
        this.listener = listener;
    }

    /** Starts replay after {@code after}; live deliveries before this call wait for the replay. */
    public void start(long after) {
        synchronized (this) {
            if (started) {
                throw new IllegalStateException("already started");
            }
            started = true;
            delivered = after;
        }
        step();
    }

    /** The highest seq queued to the session so far (for tests). */
    synchronized long delivered() {
        return delivered;
    }

    /** Live messages held in memory while the feed catches up (for tests). */
    synchronized int parked() {
        return parked == null ? 0 : parked.size();
    }

    /**
     * The highest seq a {@code recv} on this session may move the device's cursor to: what was sent
     * on it ({@code msg} and {@code gap} frames), or the resume point once the inbox has confirmed that
     * it exists. Until the first inbox page has been read the client's {@code after} is unchecked (it
     * may lie beyond what the store holds after a loss of data), so nothing can be confirmed.
     */
    public synchronized long confirmable() {
        return confirmable;
    }

    /** A message routed to this node for the session's user. */
    public Outcome onLive(ServerFrame.Msg msg) {
        synchronized (this) {
            if (session.isClosed()) {
                return Outcome.CLOSED;
            }
            if (catchingUp) {
                park(msg);
                return Outcome.DEFERRED;
            }
            if (msg.seq() <= delivered) {
                return Outcome.DUPLICATE;
            }
            if (msg.seq() == delivered + 1 && hasRoom()) {
                return queue(msg) ? Outcome.QUEUED : Outcome.CLOSED;
            }
            // Either the queue is nearly full (wait for room, then continue from the inbox) or
            // something between is missing from the live path (for example routed before this
            // session was visible): the inbox has it.
            catchingUp = true;
            park(msg);
        }
        step();
        return Outcome.DEFERRED;
    }

    /**
     * The client asked to re-read everything after {@code after}; answered with those messages and
     * then {@code synced}.
     */
    public void sync(long after) {
        boolean idle;
        synchronized (this) {
            syncAfter = syncAfter < 0 ? after : Math.min(syncAfter, after);
            syncAnswersOwed++;
            idle = started && !catchingUp;
            catchingUp = true;
        }
        if (idle) {
            step();
        }
    }

    /**
     * Reads the inbox once more after what the session was given, unasked (no {@code synced}
     * answer): for when live deliveries may have passed it by, such as while its presence entry had
     * lapsed and routing did not know where to send its messages. They were stored first, so the
     * inbox has them. Does nothing before {@link #start}; joins a catch-up already running.
     */
    public void catchUp() {
        boolean idle;
        synchronized (this) {
            idle = started && !catchingUp;
            if (idle) {
                catchingUp = true;
            }
        }
        if (idle) {
            step();
        }
    }

    /** Room for a page of messages, leaving a reserve for acks and other replies. */
    private boolean hasRoom() {
        return session.queued() <= session.queueCapacity() - 2 * pageSize;
    }

    private void park(ServerFrame.Msg msg) {
        if (!hasRoom() || (parked != null && parked.size() >= parkLimit)) {
            parkOverflowed = true; // the hand-over reads the inbox once more
            return;
        }
        if (parked == null) {
            parked = new ArrayDeque<>();
        }
        parked.addLast(msg);
    }

    private boolean queue(ServerFrame.Msg msg) {
        if (!session.send(msg)) {
            return false;
        }
        delivered = msg.seq();
        confirmable = Math.max(confirmable, delivered);
        return true;
    }

    /** One round of catching up: read a page when the queue has room, or wait a moment. */
    private void step() {
        long after;
        synchronized (this) {
            if (session.isClosed()) {
                return;
            }
            if (syncAfter >= 0) {
                delivered = Math.min(delivered, syncAfter);
                syncAfter = -1;
            }
            after = delivered;
        }
        if (!hasRoom()) {
            long now = System.nanoTime();
            long taken = session.taken();
            long wait;
            synchronized (this) {
                if (waitingForRoomSince < 0 || taken != takenWhenChecked) {
                    // Waiting starts, or the device took frames since the last check: it is reading.
                    waitingForRoomSince = now;
                    takenWhenChecked = taken;
                    roomCheckNanos = ROOM_CHECK_MIN_NANOS;
                } else if (now - waitingForRoomSince > slowConsumerTimeoutNanos) {
                    log.atInfo()
                            .addKeyValue(LogKeys.SESSION_ID, session.sessionId())
                            .log(
                                    "session {} closed: took nothing from its outbound queue for {} ms",
                                    session.sessionId(),
                                    (now - waitingForRoomSince) / 1_000_000);
                    session.close(CloseCodes.SLOW_CONSUMER);
                    return;
                } else {
                    roomCheckNanos = Math.min(2 * roomCheckNanos, ROOM_CHECK_MAX_NANOS);
                }
                wait = roomCheckNanos;
            }
            Mono.delay(Duration.ofNanos(wait)).subscribe(tick -> step());
            return;
        }
        synchronized (this) {
            waitingForRoomSince = -1;
            roomCheckNanos = ROOM_CHECK_MIN_NANOS;
        }
        inbox.read(after, pageSize).subscribe(this::onPage, this::onReadFailed);
    }

    private void onPage(InboxPage page) {
        boolean more;
        synchronized (this) {
            readRetry = READ_RETRY_MIN;
            if (session.isClosed()) {
                return;
            }
            if (page.after() != delivered || syncAfter >= 0) {
                more = true; // a sync moved the starting point while this page was read
            } else {
                more = apply(page);
            }
        }
        if (more) {
            step();
        }
    }

    /** Queues a page; returns whether another round is needed. Called under the lock. */
    private boolean apply(InboxPage page) {
        if (page.after() > page.lastSeq()) {
            // The device claims seqs that were never given (a client's stale resume point after the
            // store lost data, or was restored from a backup): its seqs counted another history of this
            // inbox. Replay all the inbox holds: some may be messages it had (it deduplicates by id),
            // but any stored since the loss is in there too, and going on from the end would skip them.
            log.atWarn()
                    .addKeyValue(LogKeys.SESSION_ID, session.sessionId())
                    .log(
                            "session {} resumed after {} but the inbox ends at {}",
                            session.sessionId(),
                            page.after(),
                            page.lastSeq());
            delivered = 0;
            return true;
        }
        confirmable = Math.max(confirmable, delivered); // the resume point, now known to exist
        if (page.gap().isPresent()) {
            InboxPage.Gap gap = page.gap().get();
            if (!session.send(new ServerFrame.Gap(gap.from(), gap.to()))) {
                return false;
            }
            delivered = gap.to();
            confirmable = Math.max(confirmable, delivered);
            listener.gap(gap.to() - gap.from() + 1);
        }
        int replayed = 0;
        for (SequencedMessage m : page.messages()) {
            if (m.seq() != delivered + 1) {
                continue;
            }
            if (!queue(ServerFrame.Msg.of(m))) {
                return false;
            }
            replayed++;
        }
        listener.replayed(replayed);
        if (!page.reachesEnd()) {
            return true;
        }
        return !handOver();
    }

    /**
     * Queues the parked live messages that continue the sequence; returns true when the feed is live
     * again, false when the inbox must be read once more. Called under the lock.
     */
    private boolean handOver() {
        List<ServerFrame.Msg> waiting = parked == null ? new ArrayList<>() : new ArrayList<>(parked);
        parked = null;
        waiting.sort(Comparator.comparingLong(ServerFrame.Msg::seq));
        boolean missing = parkOverflowed;
        parkOverflowed = false;
        for (ServerFrame.Msg msg : waiting) {
            if (msg.seq() <= delivered) {
                continue;
            }
            if (msg.seq() > delivered + 1) {
                missing = true; // stored after our read, its predecessor not here yet: read again
                break;
            }
            if (!hasRoom()) {
                // The last page filled the queue: the rest would eat the reserve for acks and pings
                // (one frame too many closes the session). The inbox has them; read once there is room.
                missing = true;
                break;
            }
            if (!queue(msg)) {
                return true;
            }
        }
        if (missing || syncAfter >= 0) {
            return false;
        }
        for (; syncAnswersOwed > 0; syncAnswersOwed--) {
            session.send(new ServerFrame.Synced(delivered));
        }
        catchingUp = false;
        return true;
    }

    private void onReadFailed(Throwable e) {
        Duration wait;
        synchronized (this) {
            wait = readRetry;
            readRetry = readRetry.multipliedBy(2).compareTo(READ_RETRY_MAX) > 0
                    ? READ_RETRY_MAX
                    : readRetry.multipliedBy(2);
        }
        log.atWarn()
                .addKeyValue(LogKeys.SESSION_ID, session.sessionId())
                .log(
                        "session {}: inbox read failed, retrying in {} ms: {}",
                        session.sessionId(),
                        wait.toMillis(),
                        e.toString());
        Mono.delay(wait).subscribe(tick -> step());
    }
}
