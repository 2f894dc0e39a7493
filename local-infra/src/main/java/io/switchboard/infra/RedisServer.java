package io.switchboard.infra;

import java.io.BufferedReader;
import java.io.File;
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
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real {@code redis-server} child process on 127.0.0.1. The binary is the one on the PATH
 * (Debian's {@code redis-server} package); where there is none, the Linux/macOS binary shipped inside
 * the {@code com.github.codemonstur:embedded-redis} artifact from Maven Central (Redis 6.2). The
 * system property {@code switchboard.redis.server} or else the environment variable
 * {@code SWITCHBOARD_REDIS_SERVER} overrides the choice: a path to a binary, or {@code bundled}.
 *
 * <p>AOF persistence is on by default, as in every configuration we ship; RDB snapshots are off. The
 * process's output goes to {@code redis.log} in the data directory. It never outlives this JVM's
 * orderly exit: {@link #close} stops it by PID, and a shutdown hook does if nobody called
 * {@code close} (a JVM killed with SIGKILL runs no hook, and its redis-server stays).
 */
public final class RedisServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisServer.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration PROBE_INTERVAL = Duration.ofMillis(20);
    private static final String BINARY_VARIABLE = "SWITCHBOARD_REDIS_SERVER";
    private static final String BINARY_PROPERTY = "switchboard.redis.server";

    /**
     * @param port 0 picks a free one
     * @param dataDir where AOF files live; {@code null} for a temporary directory
     * @param appendOnly AOF with {@code appendfsync everysec}
     * @param stopWithJvm stop the process from a JVM shutdown hook (default); an owner that stops it
     *     itself, in order after the clients that use it, turns this off
     */
    public record Options(int port, Path dataDir, boolean appendOnly, boolean stopWithJvm) {

        public static Options defaults() {
            return new Options(0, null, true, true);
        }

        public Options port(int port) {
            return new Options(port, dataDir, appendOnly, stopWithJvm);
        }

        public Options dataDir(Path dataDir) {
            return new Options(port, dataDir, appendOnly, stopWithJvm);
        }

        public Options appendOnly(boolean appendOnly) {
            return new Options(port, dataDir, appendOnly, stopWithJvm);
        }

        public Options stopWithJvm(boolean stopWithJvm) {
            return new Options(port, dataDir, appendOnly, stopWithJvm);
        }
    }

    private static Path bundled;

    private final Process process;
    private final int port;
    private final DataDirectory data;
    private final String binaryDescription;
    private final Thread shutdownHook;

    private RedisServer(Process process, int port, DataDirectory data, String binaryDescription, boolean stopWithJvm) {
        this.process = process;
        this.port = port;
        this.data = data;
        this.binaryDescription = binaryDescription;
        this.shutdownHook = stopWithJvm ? new Thread(this::stopProcess, "redis-server-" + port + "-stop") : null;
        if (shutdownHook != null) {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    /**
     * Starts redis-server and returns once it answers PING.
     *
     * @throws IllegalStateException if it exits or does not answer within 20 s; nothing is left
     *     running then (its log, {@code redis.log} in the data directory, says why)
     */
    public static RedisServer start(Options options) {
        String choice = System.getProperty(BINARY_PROPERTY, System.getenv(BINARY_VARIABLE));
        if (choice != null && !choice.isBlank()) {
            return choice.equals("bundled")
                    ? startBundled(options)
                    : start(options, Path.of(choice), choice + " (from " + BINARY_VARIABLE + ")");
        }
        Optional<Path> onPath = findOnPath();
        return onPath.isPresent() ? start(options, onPath.get(), onPath.get().toString()) : startBundled(options);
    }

    private static RedisServer startBundled(Options options) {
        return start(options, bundledBinary(), "bundled " + bundledResource() + " (embedded-redis jar)");
    }

    private static RedisServer start(Options options, Path binary, String description) {
        DataDirectory data = DataDirectory.of(options.dataDir(), "switchboard-redis-");
        int port = FreePorts.resolve(options.port());
        if (listening(port)) {
            // Our redis-server would fail to bind, and the PING below would be answered by the
            // other one: the suite would silently use someone else's Redis and data.
            data.release();
            throw new IllegalStateException("127.0.0.1:" + port + " is already in use"
                    + redisServerOn(port)
                            .map(pid -> " by redis-server pid " + pid + " (left behind by a suite that was killed"
                                    + " with SIGKILL? If so, stop it: kill " + pid + ")")
                            .orElse(" (another redis-server?)"));
        }
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
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(
                            data.path().resolve("redis.log").toFile()))
                    .start();
        } catch (IOException e) {
            data.release();
            throw new UncheckedIOException("cannot start " + binary, e);
        }
        RedisServer server = new RedisServer(process, port, data, description, options.stopWithJvm());
        try {
            server.awaitPong();
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        log.info("redis-server ready at 127.0.0.1:{} (pid {}, {})", port, process.pid(), description);
        return server;
    }

    /**
     * The pid of a redis-server process listening on {@code port}, found by its process title (Linux
     * only: {@code /proc/<pid>/cmdline}, where redis-server writes {@code redis-server <addr>:<port>};
     * Java's own view of command lines shows the binary it links to and no arguments).
     */
    static Optional<Long> redisServerOn(int port) {
        String listening = ":" + port + " ";
        return ProcessHandle.allProcesses()
                .map(ProcessHandle::pid)
                .filter(pid -> {
                    try {
                        String title = new String(
                                                Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                                                StandardCharsets.UTF_8)
                                        .replace('\0', ' ')
                                + " ";
                        return title.contains("redis-server") && title.contains(listening);
                    } catch (IOException | RuntimeException e) {
                        return false; // gone meanwhile, not ours to read, or no /proc
                    }
                })
                .findFirst();
    }

    /** The {@code redis-server} on the PATH (or in /usr/bin, /usr/sbin, /usr/local/bin), if any. */
    public static Optional<Path> findOnPath() {
        List<String> dirs =
                new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/bin", "/usr/sbin", "/usr/local/bin"));
        return dirs.stream()
                .filter(d -> !d.isBlank())
                .map(d -> Path.of(d, "redis-server"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** The resource name of the binary embedded-redis ships for this OS and CPU. */
    private static String bundledResource() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        boolean arm = arch.contains("aarch64") || arch.contains("arm64");
        if (os.contains("linux")) {
            return arm ? "redis-server-6.2.7-linux-arm64" : "redis-server-6.2.6-v5-linux-amd64";
        }
        if (os.contains("mac")) {
            return arm ? "redis-server-6.2.6-v5-darwin-arm64" : "redis-server-6.2.6-v5-darwin-amd64";
        }
        throw new IllegalStateException("no redis-server on the PATH and no bundled one for " + os + "/" + arch);
    }

    /**
     * The embedded-redis binary, extracted once per JVM to a temporary file deleted at exit, so a
     * kept data directory never collects copies of it.
     */
    private static synchronized Path bundledBinary() {
        if (bundled != null) {
            return bundled;
        }
        String resource = bundledResource();
        try (InputStream in = RedisServer.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IllegalStateException(
                        "no redis-server on the PATH and " + resource + " is not on the classpath");
            }
            Path target = Files.createTempFile("switchboard-" + resource + "-", "");
            target.toFile().deleteOnExit();
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            if (!target.toFile().setExecutable(true)) {
                throw new IllegalStateException("cannot make " + target + " executable");
            }
            bundled = target;
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + resource, e);
        }
    }

    /** Probes with PING until it answers; between probes it waits for the process to exit instead. */
    private void awaitPong() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (answersPing()) {
                    return;
                }
                if (process.waitFor(PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("redis-server exited with " + process.exitValue() + "; see "
                            + data.path().resolve("redis.log"));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for redis-server", e);
        }
        throw new IllegalStateException("redis-server did not answer PING within " + READY_TIMEOUT + "; see "
                + data.path().resolve("redis.log"));
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
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
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook is running or ran
            }
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
