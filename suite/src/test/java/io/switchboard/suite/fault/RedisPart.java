package io.switchboard.suite.fault;

import io.switchboard.infra.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * redis-server as a child process, AOF on, on a fixed port and data directory so that a restart after
 * SIGKILL loads what it had acknowledged. {@link RedisServer#start} itself waits for PONG.
 */
final class RedisPart implements Part {

    private final int port;
    private final Path dataDir;
    private RedisServer server;

    RedisPart(int port, Path dataDir) {
        this.port = port;
        this.dataDir = dataDir;
    }

    @Override
    public String name() {
        return "redis-server";
    }

    @Override
    public synchronized void start() {
        server = RedisServer.start(RedisServer.Options.defaults()
                .port(port)
                .dataDir(dataDir)
                .appendOnly(true)
                .stopWithJvm(true));
    }

    @Override
    public void awaitReady(Duration timeout) {
        // start() returns once redis-server answered PING
    }

    @Override
    public synchronized void kill() {
        Optional<ProcessHandle> process = ProcessHandle.of(server.pid());
        process.ifPresent(ProcessHandle::destroyForcibly); // SIGKILL to this PID only
        process.ifPresent(p -> p.onExit().join());
        server.close(); // nothing left to stop; drops the shutdown hook, keeps the data directory
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    public synchronized long pid() {
        return server.pid();
    }

    String uri() {
        return "redis://127.0.0.1:" + port;
    }
}
