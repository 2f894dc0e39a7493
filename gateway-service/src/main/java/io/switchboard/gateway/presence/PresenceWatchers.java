package io.switchboard.gateway.presence;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.gateway.session.ClientSession;
import io.switchboard.gateway.session.LogKeys;
import io.switchboard.presence.PresenceStatus;
import io.switchboard.presence.PresenceStore;
import io.switchboard.protocol.envelope.MalformedEnvelopeException;
import io.switchboard.protocol.envelope.PresenceChange;
import io.switchboard.protocol.envelope.PresenceChangeCodec;
import io.switchboard.protocol.frame.ErrorCode;
import io.switchboard.protocol.frame.ServerFrame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The presence subscriptions of this node's sessions: answers {@code presence.subscribe} with the
 * current status of each user, then forwards every change read from the presence topic to the
 * sessions watching that user.
 *
 * <p>Guarantees per session and watched user: frames follow the user's transitions in order (each
 * change carries the user's transition version; older or repeated ones are dropped); presence is
 * state, so when the session's outbound queue is more than half full, changes wait here and only
 * the latest per user is sent once there is room — a burst (a node with hundreds of watched users
 * dies) never closes a watcher as a slow consumer, and memory stays bounded by
 * {@code maxSubscriptions} per session. Non-blocking: one short lock, never held across I/O.
 */
public final class PresenceWatchers {

    private static final Logger log = LoggerFactory.getLogger(PresenceWatchers.class);
    private static final Duration RETRY = Duration.ofMillis(20);

    /** What one session watches: user → last version sent, and frames waiting for queue room. */
    private static final class Watch {
        final Map<String, Long> versions = new HashMap<>();
        /**
         * Users named by a subscribe whose answer is not sent yet: their snapshot is sent even if it
         * repeats the last version, unless a change sent since already told the session as much.
         */
        final Set<String> unanswered = new HashSet<>();

        final LinkedHashMap<String, ServerFrame.Presence> waiting = new LinkedHashMap<>();
        boolean retryScheduled;
    }

    private final PresenceStore store;
    private final PresenceWatchPolicy policy;
    private final int maxPerSession;
    private final PresenceChangeCodec codec = new PresenceChangeCodec();
    private final Scheduler timer = Schedulers.parallel();
    private final Map<String, Set<ClientSession>> byUser = new HashMap<>();
    private final Map<ClientSession, Watch> bySession = new HashMap<>();
    private final Counter framesSent;
    private int watched;

    public PresenceWatchers(PresenceStore store, PresenceWatchPolicy policy, int maxPerSession, MeterRegistry meters) {
        this.store = store;
        this.policy = policy;
        this.maxPerSession = maxPerSession;
        this.framesSent = meters.counter(GatewayPresenceMeters.FRAMES_SENT.meterName());
        Gauge.builder(GatewayPresenceMeters.SUBSCRIPTIONS.meterName(), this, w -> w.subscriptions())
                .description("users watched by this node's sessions (one per session and user)")
                .register(meters);
    }

    /** Subscriptions held on this node. */
    public synchronized int subscriptions() {
        return watched;
    }

    /**
     * Starts watching {@code users} for {@code session} and queues one {@code presence} frame per
     * permitted user. More than the session may watch in all: an error, nothing changes. Users the
     * policy refuses: one {@code forbidden} error, the others are watched.
     */
    public Mono<Void> subscribe(ClientSession session, List<String> users) {
        return policy.permitted(session.userId(), users).flatMap(permitted -> {
            Set<String> allowed = new HashSet<>(permitted);
            List<String> subscribed = new ArrayList<>();
            for (String user : users) {
                if (allowed.contains(user)) {
                    subscribed.add(user);
                }
            }
            if (!watch(session, subscribed)) {
                session.send(new ServerFrame.Error(
                        null,
                        ErrorCode.TOO_MANY_SUBSCRIPTIONS,
                        "a session may watch at most " + maxPerSession + " users"));
                return Mono.empty();
            }
            if (subscribed.size() < users.size()) {
                session.send(new ServerFrame.Error(
                        null,
                        ErrorCode.FORBIDDEN,
                        (users.size() - subscribed.size()) + " of the users may not be watched by you"));
            }
            if (subscribed.isEmpty()) {
                return Mono.empty();
            }
            return store.statusOf(subscribed)
                    .doOnNext(statuses -> {
                        for (PresenceStatus s : statuses) {
                            offer(session, s.user(), s.version(), true, frame(s));
                        }
                    })
                    .then()
                    .onErrorResume(e -> {
                        log.atWarn()
                                .addKeyValue(LogKeys.SESSION_ID, session.sessionId())
                                .log("presence snapshot for session {} failed: {}", session.sessionId(), e.toString());
                        session.send(new ServerFrame.Error(
                                null, ErrorCode.UNAVAILABLE, "presence is unavailable; subscribe again later"));
                        return Mono.empty();
                    });
        });
    }

    private synchronized boolean watch(ClientSession session, List<String> users) {
        if (session.isClosed()) {
            return true; // it is being forgotten; nothing to keep
        }
        Watch watch = bySession.get(session);
        int current = watch == null ? 0 : watch.versions.size();
        long fresh = users.stream()
                .filter(u -> watch == null || !watch.versions.containsKey(u))
                .count();
        if (current + fresh > maxPerSession) {
            return false;
        }
        Watch w = bySession.computeIfAbsent(session, s -> new Watch());
        for (String user : users) {
            w.unanswered.add(user);
            if (w.versions.putIfAbsent(user, -1L) == null) {
                byUser.computeIfAbsent(user, u -> new HashSet<>()).add(session);
                watched++;
            }
        }
        return true;
    }

    /** Stops watching {@code users} for {@code session}. */
    public synchronized void unsubscribe(ClientSession session, List<String> users) {
        Watch w = bySession.get(session);
        if (w == null) {
            return;
        }
        for (String user : users) {
            if (w.versions.remove(user) != null) {
                w.waiting.remove(user);
                w.unanswered.remove(user);
                unindex(user, session);
            }
        }
        if (w.versions.isEmpty()) {
            bySession.remove(session);
        }
    }

    /** Drops every subscription of a session that ended. */
    public synchronized void forget(ClientSession session) {
        Watch w = bySession.remove(session);
        if (w != null) {
            w.versions.keySet().forEach(user -> unindex(user, session));
        }
    }

    private void unindex(String user, ClientSession session) {
        Set<ClientSession> sessions = byUser.get(user);
        if (sessions != null && sessions.remove(session)) {
            watched--;
            if (sessions.isEmpty()) {
                byUser.remove(user);
            }
        }
    }

    /** Handles a batch of the presence topic; never fails (a bad record is logged and skipped). */
    public Mono<Void> handle(List<ConsumerRecord<String, byte[]>> batch) {
        for (ConsumerRecord<String, byte[]> record : batch) {
            PresenceChange change;
            try {
                change = codec.decode(record.value());
            } catch (MalformedEnvelopeException | NullPointerException e) {
                log.error("skipping malformed presence change at offset {}: {}", record.offset(), e.getMessage());
                continue;
            }
            List<ClientSession> watchers;
            synchronized (this) {
                Set<ClientSession> sessions = byUser.get(change.user());
                watchers = sessions == null ? List.of() : List.copyOf(sessions);
            }
            ServerFrame.Presence frame =
                    new ServerFrame.Presence(change.user(), change.online(), change.at(), change.lastSeen());
            for (ClientSession session : watchers) {
                offer(session, change.user(), change.version(), false, frame);
            }
        }
        return Mono.empty();
    }

    private static ServerFrame.Presence frame(PresenceStatus s) {
        return new ServerFrame.Presence(s.user(), s.online(), s.at(), s.lastSeen());
    }

    /**
     * Sends {@code frame} unless the session already has a later version of this user's presence,
     * or the same one. A snapshot may repeat the version last sent, so that a subscribe is always
     * answered; but not when a change of that version reached the session after the subscribe (it
     * arrived while the snapshot was read), which already answered it.
     */
    private synchronized void offer(
            ClientSession session, String user, long version, boolean snapshot, ServerFrame.Presence frame) {
        Watch w = bySession.get(session);
        Long last = w == null ? null : w.versions.get(user);
        if (last == null || version < last || (version == last && !(snapshot && w.unanswered.contains(user)))) {
            return;
        }
        w.unanswered.remove(user);
        w.versions.put(user, version);
        w.waiting.remove(user);
        w.waiting.put(user, frame);
        drain(session, w);
    }

    /** Sends waiting frames while the session's queue is at most half full; retries shortly if not. */
    private void drain(ClientSession session, Watch w) {
        Iterator<ServerFrame.Presence> it = w.waiting.values().iterator();
        while (it.hasNext() && session.queued() < session.queueCapacity() / 2) {
            ServerFrame.Presence frame = it.next();
            it.remove();
            if (session.send(frame)) {
                framesSent.increment();
            }
        }
        if (!w.waiting.isEmpty() && !w.retryScheduled && !session.isClosed()) {
            w.retryScheduled = true;
            timer.schedule(() -> retry(session), RETRY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void retry(ClientSession session) {
        Watch w = bySession.get(session);
        if (w != null) {
            w.retryScheduled = false;
            drain(session, w);
        }
    }
}
