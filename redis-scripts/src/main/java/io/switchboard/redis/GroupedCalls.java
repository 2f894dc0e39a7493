package io.switchboard.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Groups small requests into few calls, like a database's group commit: for Redis scripts whose
 * fixed cost per call (a round trip, the script's start, a wake-up on each side) outweighs the work
 * of one request.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li><b>No wait when idle.</b> A request made while fewer than {@code callsInFlight} calls are in
 *       flight is sent at once; only requests made meanwhile wait, and go together in the next call
 *       (at most {@code perCall} each), in the order they were made.
 *   <li><b>Every request is answered once</b>: with its own element of the call's answer (the answer
 *       lists one element per request, in request order), or with the call's error, which fails
 *       every request of that call and no other.
 *   <li><b>Bounded.</b> At most {@code maxWaiting} requests wait; beyond that a request fails at once
 *       with {@link IllegalStateException} rather than queue without bound.
 * </ul>
 *
 * Thread-safe; requests may come from any thread, and nothing blocks.
 */
public final class GroupedCalls<I, O> {

    private final String name;
    private final int callsInFlight;
    private final int perCall;
    private final int maxWaiting;
    private final Function<List<I>, Mono<List<O>>> call;
    private final ConcurrentLinkedQueue<Waiting<I, O>> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waitingCount = new AtomicInteger();
    private final AtomicInteger calling = new AtomicInteger();

    private record Waiting<I, O>(I request, MonoSink<O> sink) {}

    /**
     * @param name what the calls do, for error messages
     * @param call makes one call for the given requests; its answer lists one element per request
     */
    public GroupedCalls(
            String name, int callsInFlight, int perCall, int maxWaiting, Function<List<I>, Mono<List<O>>> call) {
        if (callsInFlight < 1 || perCall < 1 || maxWaiting < 1) {
            throw new IllegalArgumentException("callsInFlight, perCall and maxWaiting must be positive");
        }
        this.name = name;
        this.callsInFlight = callsInFlight;
        this.perCall = perCall;
        this.maxWaiting = maxWaiting;
        this.call = call;
    }

    /** The answer to {@code request}, from the call it goes in; lazy (nothing is sent until subscribed). */
    public Mono<O> submit(I request) {
        return Mono.create(sink -> {
            if (waitingCount.incrementAndGet() > maxWaiting) {
                waitingCount.decrementAndGet();
                sink.error(new IllegalStateException(name + " overloaded: " + maxWaiting + " requests waiting"));
                return;
            }
            waiting.add(new Waiting<>(request, sink));
            callIfIdle();
        });
    }

    /** Starts calls while requests wait and fewer than {@code callsInFlight} are in flight. */
    private void callIfIdle() {
        while (!waiting.isEmpty()) {
            int inFlight = calling.get();
            if (inFlight >= callsInFlight) {
                return; // a completing call starts the next one
            }
            if (!calling.compareAndSet(inFlight, inFlight + 1)) {
                continue;
            }
            List<Waiting<I, O>> group = new ArrayList<>(Math.min(perCall, Math.max(1, waitingCount.get())));
            Waiting<I, O> next;
            while (group.size() < perCall && (next = waiting.poll()) != null) {
                group.add(next);
            }
            waitingCount.addAndGet(-group.size());
            if (group.isEmpty()) {
                calling.decrementAndGet(); // another thread took them between the check and the poll
                continue;
            }
            send(group);
        }
    }

    private void send(List<Waiting<I, O>> group) {
        List<I> requests = new ArrayList<>(group.size());
        group.forEach(w -> requests.add(w.request()));
        Mono<List<O>> answer;
        try {
            answer = call.apply(requests);
        } catch (RuntimeException e) {
            answer = Mono.error(e);
        }
        answer.switchIfEmpty(Mono.error(() -> new IllegalStateException(name + " answered nothing")))
                .doFinally(signal -> {
                    calling.decrementAndGet();
                    callIfIdle();
                })
                .subscribe(answers -> answer(group, answers), error -> fail(group, error));
    }

    private void answer(List<Waiting<I, O>> group, List<O> answers) {
        if (answers.size() != group.size()) {
            fail(
                    group,
                    new IllegalStateException(
                            name + " answered " + answers.size() + " values for " + group.size() + " requests"));
            return;
        }
        for (int i = 0; i < group.size(); i++) {
            group.get(i).sink().success(answers.get(i));
        }
    }

    /** Every request of the call fails with {@code error}; the other calls' requests are untouched. */
    private static <I, O> void fail(List<Waiting<I, O>> group, Throwable error) {
        group.forEach(w -> w.sink().error(error));
    }
}
