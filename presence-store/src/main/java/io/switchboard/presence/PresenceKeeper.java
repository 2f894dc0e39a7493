package io.switchboard.presence;

import io.switchboard.protocol.envelope.PresenceChange;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * presence-service's side of the store: the sweep that finds what expired, and the outbox of change
 * events. Safe to run from any number of presence-service instances at once.
 */
public interface PresenceKeeper {

    /**
     * One bounded step of the sweep, atomic in the store: removes, at most {@code limit} entries in
     * all, every session of nodes whose lease lapsed (cause {@code node-lost}), sessions past their
     * own deadline ({@code timeout}), and announces offline the users whose last session left more
     * than {@code grace} ago with none back since. Entries are claimed by exactly one caller, so
     * concurrent sweeps never double a transition.
     */
    Mono<SweepResult> sweep(Duration grace, int limit);

    /**
     * @param nodeLost sessions removed because their node's lease lapsed
     * @param timedOut sessions removed because their own deadline passed
     * @param announcedOffline users announced offline
     * @param more whether the limit was reached (call again soon)
     * @param lagMillis how long after its deadline the most overdue entry handled was found
     */
    record SweepResult(int nodeLost, int timedOut, int announcedOffline, boolean more, long lagMillis) {}

    /**
     * Claims up to {@code max} unpublished change events, oldest first, for {@code consumer}:
     * new ones, and ones another consumer claimed more than {@code abandonedAfter} ago without
     * acknowledging (it crashed). An event is claimed by one consumer at a time.
     */
    Mono<List<OutboxEvent>> claimEvents(String consumer, int max, Duration abandonedAfter);

    /** Marks {@code events} published: they are never claimed again. */
    Mono<Void> acknowledge(List<OutboxEvent> events);

    /** A change event waiting in the outbox, with its outbox id. */
    record OutboxEvent(String id, PresenceChange change) {}

    /** Counts for gauges. */
    Mono<Stats> stats();

    /**
     * @param usersOnline users announced online
     * @param sessionsByNode sessions registered per node holding a lease
     * @param lapsedNodes nodes whose lease lapsed and whose sessions are still being removed
     */
    record Stats(long usersOnline, Map<String, Long> sessionsByNode, int lapsedNodes) {}
}
