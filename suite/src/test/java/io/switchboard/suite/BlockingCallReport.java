package io.switchboard.suite;

import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Makes a blocking call on a non-blocking thread visible in the test log, not only to the code that
 * called it (which may turn the error into a closed connection).
 */
public final class BlockingCallReport implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.blockingMethodCallback(method -> {
            BlockingOperationError error = new BlockingOperationError(method);
            System.err.println("BLOCKING CALL on " + Thread.currentThread().getName() + ": " + method);
            error.printStackTrace();
            throw error;
        });
    }
}
