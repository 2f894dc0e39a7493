package io.switchboard.suite;

import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * BlockHound settings for the end-to-end tests: a blocking call on a non-blocking thread is printed
 * to the test log, not only raised to the code that made it (which may turn the error into a closed
 * connection), and known-safe library internals are allowed.
 */
public final class BlockingCallReport implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        // Netty 4.2's adaptive allocator briefly locks when it grows its magazines: a short,
        // bounded critical section that Netty's own BlockHound integration does not list yet.
        builder.allowBlockingCallsInside(
                "io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines");
        builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free");
        // Lettuce serialises the writers of one connection with a lock held for a few microseconds;
        // two threads writing at once may park briefly. An error thrown from inside it leaves the
        // connection's writer count wrong (its write path decrements in a finally) and hangs every
        // later command on that connection, which is how PresenceIT once hung at shutdown.
        builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "incrementWriters");
        builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "lockWritersExclusive");
        builder.blockingMethodCallback(method -> {
            BlockingOperationError error = new BlockingOperationError(method);
            System.err.println("BLOCKING CALL on " + Thread.currentThread().getName() + ": " + method);
            error.printStackTrace();
            throw error;
        });
    }
}
