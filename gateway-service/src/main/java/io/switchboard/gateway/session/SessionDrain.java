package io.switchboard.gateway.session;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.switchboard.gateway.delivery.GatewayMeters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Drains this gateway node when it is told to stop (SIGTERM, or the application context closing),
 * before anything else stops, so that a rolling restart or a scale-in loses nothing and floods no
 * node:
 *
 * <ol>
 *   <li>readiness goes to {@code REFUSING_TRAFFIC} ({@code /actuator/health/readiness} answers 503)
 *       and new WebSocket upgrades are refused with 503 {@code draining}, so a load balancer sends
 *       new connections to other nodes;
 *   <li>the node's sessions are closed with {@link CloseCodes#SERVICE_RESTART} (1012) one after
 *       another over {@link DrainProperties#spread}, so their clients reconnect elsewhere in a
 *       stream, not in one wave. Each session first stops taking new {@code send}s, waits (at most
 *       {@link DrainProperties#sendGrace}) until its sends in flight are answered, writes every frame
 *       already queued, and only then closes; the client reconnects and resumes from its cursor;
 *   <li>the sessions leave presence as they close; their users are online again on their new node
 *       well within the presence grace, so watchers see no offline;
 *   <li>by {@link DrainProperties#timeout} whatever is still open is closed at once.
 * </ol>
 *
 * Deliveries keep flowing to sessions until they close: the node topic reader, the Kafka producer
 * and the presence lease ({@link HeartbeatMonitor}, a later phase) stop only after the drain.
 */
public final class SessionDrain implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SessionDrain.class);
    /** The spread is walked in steps of this: sessions due in one step are closed together. */
    private static final Duration STEP = Duration.ofMillis(50);

    private static final Duration POLL = Duration.ofMillis(20);

    private final SessionRegistry registry;
    private final DrainProperties properties;
    private final ApplicationEventPublisher events;
    private final Timer duration;
    private volatile boolean running;
    private volatile boolean draining;

    public SessionDrain(
            SessionRegistry registry,
            DrainProperties properties,
            ApplicationEventPublisher events,
            MeterRegistry meters) {
        this.registry = registry;
        this.properties = properties;
        this.events = events;
        this.duration = Timer.builder(GatewayMeters.DRAIN_DURATION.meterName())
                .description("from SIGTERM until every session of the node was closed")
                .register(meters);
        Gauge.builder(GatewayMeters.DRAINING.meterName(), this, d -> d.isDraining() ? 1 : 0)
                .description("1 while this node drains")
                .register(meters);
    }

    /** True from the moment the node started draining: no new sessions are accepted. */
    public boolean isDraining() {
        return draining;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop(Runnable callback) {
        if (!running) {
            callback.run();
            return;
        }
        running = false;
        drain().subscribe(null, e -> callback.run(), callback);
    }

    @Override
    public void stop() {
        CountDownLatch done = new CountDownLatch(1);
        stop(done::countDown);
        try {
            done.await(properties.timeout().plusSeconds(1).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Drains the node; completes once every session is closed, at the latest after the timeout. */
    Mono<Void> drain() {
        draining = true;
        long started = System.nanoTime();
        AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
        // Sessions already closing need no slot: a node whose sessions are all gone stops at once.
        List<ClientSession> sessions = new ArrayList<>(registry.all());
        sessions.removeIf(ClientSession::isClosed);
        // Users of one kind (e.g. all agents) often connected together; a random order spreads them.
        Collections.shuffle(sessions);
        int n = sessions.size();
        long steps = Math.max(1, properties.spread().toNanos() / STEP.toNanos());
        log.info(
                "draining: {} sessions to close over {} (timeout {}); new sessions refused",
                n,
                properties.spread(),
                properties.timeout());
        // Step k closes sessions [ceil(n*k/steps), ceil(n*(k+1)/steps)): the first at once, the
        // last one step before the spread ends, evenly in between.
        Mono<Void> wave = Flux.interval(Duration.ZERO, STEP)
                .take(n == 0 ? 0 : steps)
                // Steps never wait for each other: a session waiting for its sends holds up no other.
                .flatMap(
                        step -> Flux.fromIterable(sessions.subList(slot(n, step, steps), slot(n, step + 1, steps)))
                                .flatMap(this::finish, Integer.MAX_VALUE),
                        Integer.MAX_VALUE)
                .then();
        // Sessions whose upgrade was already under way when the drain began.
        Mono<Void> stragglers = Mono.defer(() -> Flux.fromIterable(registry.all())
                .flatMap(this::finish, Integer.MAX_VALUE)
                .then());
        Mono<Void> closed =
                Flux.interval(POLL).filter(tick -> registry.size() == 0).next().then();
        return wave.then(stragglers)
                .then(closed)
                .timeout(properties.timeout())
                .onErrorResume(TimeoutException.class, e -> {
                    Collection<ClientSession> left = registry.all();
                    log.warn("drain timeout: closing {} sessions at once", left.size());
                    left.forEach(s -> s.close(CloseCodes.SERVICE_RESTART));
                    return Mono.empty();
                })
                .doFinally(signal -> {
                    long nanos = System.nanoTime() - started;
                    duration.record(nanos, TimeUnit.NANOSECONDS);
                    log.info("drained {} sessions in {} ms", n, nanos / 1_000_000);
                });
    }

    private static int slot(int sessions, long step, long steps) {
        return (int) ((sessions * step + steps - 1) / steps);
    }

    /** Closes one session gracefully once its sends in flight are answered (bounded by the send grace). */
    private Mono<Void> finish(ClientSession session) {
        session.startDraining();
        if (session.sendsInFlight() <= 0 || session.isClosed()) {
            session.finish(CloseCodes.SERVICE_RESTART);
            return Mono.empty();
        }
        return Flux.interval(POLL)
                .filter(tick -> session.sendsInFlight() <= 0 || session.isClosed())
                .next()
                .timeout(properties.sendGrace(), Mono.just(0L))
                .doOnNext(tick -> session.finish(CloseCodes.SERVICE_RESTART))
                .then();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops before everything else, the web server's graceful shutdown and the presence lease included. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }
}
