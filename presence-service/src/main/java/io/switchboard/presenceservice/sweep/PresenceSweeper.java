package io.switchboard.presenceservice.sweep;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.switchboard.presence.PresenceKeeper;
import io.switchboard.presenceservice.PresenceMeters;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * presence-service's sweep: every {@code interval}, atomic steps of at most {@code batch} entries
 * until nothing is due. It removes the sessions of nodes whose lease lapsed and of sessions past
 * their deadline, and announces the offlines whose grace passed. Detection never waits for Redis
 * keyspace notifications; it adds at most {@code interval} (plus the step's round trip) to the
 * store's deadlines. Any number of instances may sweep at once: each entry is claimed by one step.
 */
public final class PresenceSweeper implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PresenceSweeper.class);
    private static final Duration STATS_EVERY = Duration.ofSeconds(5);
    private static final int MAX_STEPS_PER_ROUND = 100;

    private final PresenceKeeper keeper;
    private final Duration grace;
    private final Duration interval;
    private final int batch;
    private final MeterRegistry meters;
    private final Timer duration;
    private final Timer lag;
    private final AtomicLong usersOnline = new AtomicLong();
    private final AtomicLong lapsedNodes = new AtomicLong();
    private final MultiGauge nodeSessions;
    private volatile Disposable sweeping;
    private volatile Disposable counting;

    public PresenceSweeper(PresenceKeeper keeper, Duration grace, Duration interval, int batch, MeterRegistry meters) {
        this.keeper = keeper;
        this.grace = grace;
        this.interval = interval;
        this.batch = batch;
        this.meters = meters;
        this.duration = Timer.builder(PresenceMeters.SWEEP_DURATION.meterName())
                .description("one sweep step, round trip included")
                .publishPercentileHistogram()
                .register(meters);
        this.lag = Timer.builder(PresenceMeters.SWEEP_LAG.meterName())
                .description("how long after its deadline the most overdue entry of a step was handled")
                .publishPercentileHistogram()
                .register(meters);
        Gauge.builder(PresenceMeters.USERS_ONLINE.meterName(), usersOnline, AtomicLong::get)
                .description("users announced online")
                .register(meters);
        Gauge.builder(PresenceMeters.LAPSED_NODES.meterName(), lapsedNodes, AtomicLong::get)
                .register(meters);
        this.nodeSessions = MultiGauge.builder(PresenceMeters.NODE_SESSIONS.meterName())
                .description("sessions registered per gateway node")
                .register(meters);
    }

    /** Sweeps until nothing is due (bounded per round); emits the steps taken. */
    Mono<Integer> round() {
        return step().expand(r -> r.more() ? step() : Mono.empty())
                .take(MAX_STEPS_PER_ROUND)
                .count()
                .map(Long::intValue);
    }

    private Mono<PresenceKeeper.SweepResult> step() {
        long started = System.nanoTime();
        return keeper.sweep(grace, batch).doOnNext(r -> {
            duration.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            meters.counter(PresenceMeters.SWEEPS.meterName()).increment();
            if (r.nodeLost() > 0) {
                meters.counter(PresenceMeters.EVICTIONS.meterName(), "cause", "node-lost")
                        .increment(r.nodeLost());
            }
            if (r.timedOut() > 0) {
                meters.counter(PresenceMeters.EVICTIONS.meterName(), "cause", "timeout")
                        .increment(r.timedOut());
            }
            if (r.nodeLost() + r.timedOut() > 0) {
                lag.record(r.lagMillis(), TimeUnit.MILLISECONDS);
                log.debug("sweep: {} sessions of lost nodes, {} timed out", r.nodeLost(), r.timedOut());
            }
        });
    }

    private Mono<Void> count() {
        return keeper.stats()
                .doOnNext(s -> {
                    usersOnline.set(s.usersOnline());
                    lapsedNodes.set(s.lapsedNodes());
                    List<MultiGauge.Row<?>> rows = s.sessionsByNode().entrySet().stream()
                            .<MultiGauge.Row<?>>map(e -> MultiGauge.Row.of(Tags.of("node", e.getKey()), e.getValue()))
                            .toList();
                    nodeSessions.register(rows, true);
                })
                .then();
    }

    @Override
    public void start() {
        sweeping = Flux.interval(interval)
                .onBackpressureDrop()
                .concatMap(
                        tick -> round().onErrorResume(e -> {
                            log.warn("presence sweep failed: {}", e.toString());
                            return Mono.empty();
                        }),
                        1)
                .subscribe();
        counting = Flux.interval(Duration.ZERO, STATS_EVERY)
                .onBackpressureDrop()
                .concatMap(tick -> count().onErrorResume(e -> Mono.empty()), 1)
                .subscribe();
    }

    @Override
    public void stop() {
        for (Disposable d : new Disposable[] {sweeping, counting}) {
            if (d != null) {
                d.dispose();
            }
        }
    }

    @Override
    public boolean isRunning() {
        Disposable d = sweeping;
        return d != null && !d.isDisposed();
    }
}
