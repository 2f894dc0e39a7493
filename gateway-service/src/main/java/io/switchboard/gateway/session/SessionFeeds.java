package io.switchboard.gateway.session;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.gateway.delivery.GatewayMeters;
import io.switchboard.inbox.MessageStore;
import java.time.Duration;

/** Opens the {@link SessionFeed} of each new session, reading from the users' inboxes. */
public final class SessionFeeds {

    private final MessageStore inbox;
    private final int pageSize;
    private final Duration slowConsumerTimeout;
    private final SessionFeed.Listener listener;

    public SessionFeeds(MessageStore inbox, int pageSize, Duration slowConsumerTimeout, MeterRegistry meters) {
        this.inbox = inbox;
        this.pageSize = pageSize;
        this.slowConsumerTimeout = slowConsumerTimeout;
        Counter replayed = meters.counter(GatewayMeters.MESSAGES_REPLAYED.meterName());
        Counter gaps = meters.counter(GatewayMeters.GAP_MESSAGES.meterName());
        this.listener = new SessionFeed.Listener() {
            @Override
            public void replayed(int messages) {
                replayed.increment(messages);
            }

            @Override
            public void gap(long messages) {
                gaps.increment(messages);
            }
        };
    }

    /** Creates the feed of {@code session} and attaches it; {@link SessionFeed#start} begins replay. */
    public SessionFeed open(ClientSession session) {
        int page = Math.max(1, Math.min(pageSize, session.queueCapacity() / 4));
        SessionFeed feed = new SessionFeed(
                session,
                (after, limit) -> inbox.read(session.userId(), after, limit),
                page,
                page, // live messages parked during a catch-up: a page's worth, then read from the inbox
                slowConsumerTimeout,
                listener);
        session.attach(feed);
        return feed;
    }
}
