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
        builder.blockingMethodCallback(method -> {
            BlockingOperationError error = new BlockingOperationError(method);
            System.err.println("BLOCKING CALL on " + Thread.currentThread().getName() + ": " + method);
            error.printStackTrace();
            throw error;
        });
    }
}
