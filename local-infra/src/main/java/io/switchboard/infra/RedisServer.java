package io.switchboard.infra;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real {@code redis-server} child process on 127.0.0.1. The binary is the one on the PATH
 * (Debian's {@code redis-server} package); where there is none, the Linux/macOS binary shipped inside
 * the {@code com.github.codemonstur:embedded-redis} artifact from Maven Central. AOF persistence is on
 * by default, as in every configuration we ship. The process never outlives this JVM: {@link #close}
 * stops it by PID, and a shutdown hook does if nobody called {@code close}.
 */
public final class RedisServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisServer.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    /**
     * @param port 0 picks a free one
     * @param dataDir where AOF files live; {@code null} for a temporary directory
     * @param appendOnly AOF with {@code appendfsync everysec}
     */
    public record Options(int port, Path dataDir, boolean appendOnly) {

        public static Options defaults() {
            return new Options(0, null, true);
        }

        public Options port(int port) {
            return new Options(port, dataDir, appendOnly);
        }

        public Options dataDir(Path dataDir) {
            return new Options(port, dataDir, appendOnly);
        }

        public Options appendOnly(boolean appendOnly) {
            return new Options(port, dataDir, appendOnly);
        }
    }

    private final Process process;
    private final int port;
    private final DataDirectory data;
    private final String binaryDescription;
    private final Thread shutdownHook;

    private RedisServer(Process process, int port, DataDirectory data, String binaryDescription) {
        this.process = process;
        this.port = port;
        this.data = data;
        this.binaryDescription = binaryDescription;
        this.shutdownHook = new Thread(this::stopProcess, "redis-server-" + port + "-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts redis-server and returns once it answers PING. */
    public static RedisServer start(Options options) {
        DataDirectory data = DataDirectory.of(options.dataDir(), "switchboard-redis-");
        int port = FreePorts.resolve(options.port());
        Optional<Path> onPath = findOnPath();
        Path binary = onPath.orElseGet(() -> extractBundled(data.path()));
        String description = onPath.isPresent() ? binary.toString() : "bundled " + binary.getFileName();
        List<String> command = new ArrayList<>(List.of(
                binary.toString(),
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--protected-mode",
                "no",
                "--daemonize",
                "no",
                "--dir",
                data.path().toString(),
                "--save",
                "",
                "--appendonly",
                options.appendOnly() ? "yes" : "no"));
        if (options.appendOnly()) {
            command.addAll(List.of("--appendfsync", "everysec"));
        }
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(data.path().resolve("redis.log").toFile())
                    .start();
            RedisServer server = new RedisServer(process, port, data, description);
            try {
                server.awaitPong();
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
            log.info("redis-server ready at 127.0.0.1:{} (pid {}, {})", port, process.pid(), description);
            return server;
        } catch (IOException e) {
            data.release();
            throw new UncheckedIOException("cannot start " + binary, e);
        }
    }

    /** The {@code redis-server} on the PATH (or in /usr/bin, /usr/sbin), if any. */
    public static Optional<Path> findOnPath() {
        List<String> dirs =
                new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/bin", "/usr/sbin", "/usr/local/bin"));
        return dirs.stream()
                .filter(d -> !d.isBlank())
                .map(d -> Path.of(d, "redis-server"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static Path extractBundled(Path dir) {
        String os = System.getProperty("os.name").toLowerCase();
        String arch = System.getProperty("os.arch").toLowerCase();
        boolean arm = arch.contains("aarch64") || arch.contains("arm64");
        String resource;
        if (os.contains("linux")) {
            resource = arm ? "redis-server-6.2.7-linux-arm64" : "redis-server-6.2.6-v5-linux-amd64";
        } else if (os.contains("mac")) {
            resource = arm ? "redis-server-6.2.6-v5-darwin-arm64" : "redis-server-6.2.6-v5-darwin-amd64";
        } else {
            throw new IllegalStateException("no redis-server on the PATH and no bundled one for " + os);
        }
        Path target = dir.resolve(resource);
        try (InputStream in = RedisServer.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IllegalStateException(
                        "no redis-server on the PATH and " + resource + " is not on the classpath");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + resource, e);
        }
        if (!target.toFile().setExecutable(true)) {
            throw new IllegalStateException("cannot make " + target + " executable");
        }
        return target;
    }

    private void awaitPong() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue() + "; see "
                        + data.path().resolve("redis.log"));
            }
            if (answersPing()) {
                return;
            }
            try {
                Thread.sleep(20); // polling a process that is starting: nothing to wait on instead
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for redis-server", e);
            }
        }
        throw new IllegalStateException("redis-server did not answer PING within " + READY_TIMEOUT);
    }

    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            socket.setSoTimeout(500);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String line = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            return "+PONG".equals(line);
        } catch (IOException e) {
            return false;
        }
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:port}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    /** Which binary runs: its path, or "bundled …" for the one from the embedded-redis artifact. */
    public String binaryDescription() {
        return binaryDescription;
    }

    /** Stops redis-server by PID (SIGTERM, then SIGKILL after a timeout) and waits for it. */
    @Override
    public void close() {
        stopProcess();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook is running or ran
        }
        data.release();
    }

    private void stopProcess() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
