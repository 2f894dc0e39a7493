package io.switchboard.loadgen.client;

/**
 * Receives what happens on the load generator's connections. Called on Netty event loops: must be
 * short and must not block.
 */
public interface FrameListener {

    /** A server frame other than the first {@code welcome} (which completes {@link LoadConnection#welcome()}). */
    void onFrame(LoadConnection connection, IncomingFrame frame);

    /** The connection ended; {@code code} is the server's close code, or 1006 without a close frame. */
    default void onClosed(LoadConnection connection, int code) {}
}
