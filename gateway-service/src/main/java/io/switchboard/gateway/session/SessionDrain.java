package io.switchboard.gateway.session;

import org.springframework.context.SmartLifecycle;

/**
 * On shutdown, closes every session of this node with 1001 (going away) before the web server stops,
 * so clients reconnect to another node at once instead of waiting for a timeout, and the web
 * server's graceful shutdown is not held up by long-lived WebSocket connections. Nothing is lost:
 * every acknowledged message is stored, and sessions leave presence as they close.
 */
public final class SessionDrain implements SmartLifecycle {

    private final SessionRegistry registry;
    private volatile boolean running;

    public SessionDrain(SessionRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        for (ClientSession session : registry.all()) {
            session.close(CloseCodes.GOING_AWAY);
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops before everything else, the web server's graceful shutdown included. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }
}
