package io.switchboard.suite;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * BlockHound settings for the tests of this module: known-safe library internals are allowed, and a
 * blocking call on a Netty event loop or a Reactor non-blocking thread is printed and recorded but
 * let through. {@link BlockingCallCheck} then fails the test class that made it, naming each call.
 *
 * <p>Why not throw, as BlockHound does by default: the error is thrown from inside the blocking
 * call, often a lock's park, and can leave that lock or the library around it half-changed. A
 * Kafka receiver's hand-over queue once wedged that way: its poll thread hung, its group waited
 * five minutes for it, and eight later tests timed out far from the cause. Recorded, the call
 * behaves as it would in production and the failure names it.
 */
public final class BlockingCallReport implements BlockHoundIntegration {

    /** Calls kept with their stacks until a check takes them; more are only counted. */
    static final int KEPT = 20;

    private static final int FRAMES = 25;
    private static final ConcurrentLinkedQueue<String> recorded = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger count = new AtomicInteger();

    @Override
    public void applyTo(BlockHound.Builder builder) {
        // Netty 4.2's adaptive allocator briefly locks when it grows its magazines: a short,
        // bounded critical section that Netty's own BlockHound integration does not list yet.
        builder.allowBlockingCallsInside(
                "io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines");
        builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free");
        // Lettuce serialises the writers of one connection with a lock held for a few microseconds;
        // two threads writing at once may park briefly.
        builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "incrementWriters");
        builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "lockWritersExclusive");
        builder.blockingMethodCallback(method -> {
            String call = "BLOCKING CALL on " + Thread.currentThread().getName() + ": " + method;
            BlockingOperationError error = new BlockingOperationError(method);
            System.err.println(call); // the line .ci/run's failure digest looks for
            error.printStackTrace();
            if (count.getAndIncrement() < KEPT) {
                recorded.add(call
                        + Arrays.stream(error.getStackTrace())
                                .limit(FRAMES)
                                .map(frame -> "\n        at " + frame)
                                .collect(Collectors.joining()));
            }
        });
    }

    /**
     * Fails if any blocking call was recorded since the last check, with every kept call and its
     * stack in the message; clears the record either way.
     *
     * @param during what ran since the last check, for the message (a test class)
     */
    static void assertNoneRecorded(String during) {
        List<String> calls = new ArrayList<>();
        for (String call; (call = recorded.poll()) != null; ) {
            calls.add(call);
        }
        int total = count.getAndSet(0);
        if (total > 0 || !calls.isEmpty()) {
            throw new AssertionError(
                    Math.max(total, calls.size()) + " blocking call(s) on non-blocking threads during " + during
                            + (total > calls.size() ? " (the first " + calls.size() + " follow)" : "") + ":\n"
                            + String.join("\n", calls));
        }
    }
}
