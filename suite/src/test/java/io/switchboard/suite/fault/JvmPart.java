package io.switchboard.suite.fault;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A main class run in its own small JVM, on this test JVM's classpath, with its output appended to a
 * log file. Ready when its {@code /actuator/health} answers UP, or (for a process without HTTP) when
 * a given line appears in its output.
 */
final class JvmPart implements Part {

    /** Small, fast-starting JVMs: the whole suite shares a 2-core machine. */
    private static final List<String> JVM_OPTIONS = List.of(
            "-Xms64m", "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xss512k");

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final String name;
    private final List<String> command;
    private final Path log;
    private final URI health;
    private final String readyLine;
    private Process process;
    private long logOffset;
    private int starts;

    private JvmPart(String name, String mainClass, List<String> args, Path log, URI health, String readyLine) {
        this.name = name;
        this.log = log;
        this.health = health;
        this.readyLine = readyLine;
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.addAll(JVM_OPTIONS);
        // Under failsafe this is a manifest-only jar whose Class-Path lists the test classpath; -cp honours it.
        c.add("-cp");
        c.add(System.getProperty("java.class.path"));
        c.add(mainClass);
        c.addAll(args);
        this.command = List.copyOf(c);
    }

    /** A Spring Boot service on {@code port}, ready when its health endpoint says UP. */
    static JvmPart service(String name, String mainClass, int port, List<String> args, Path logDir) {
        List<String> all = new ArrayList<>();
        all.add("--server.port=" + port);
        all.addAll(args);
        return new JvmPart(
                name,
                mainClass,
                all,
                logDir.resolve(name + ".log"),
                URI.create("http://127.0.0.1:" + port + "/actuator/health"),
                null);
    }

    /** A process that prints {@code readyLine} once it serves. */
    static JvmPart withReadyLine(String name, String mainClass, List<String> args, Path logDir, String readyLine) {
        return new JvmPart(name, mainClass, args, logDir.resolve(name + ".log"), null, readyLine);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized void start() {
        try {
            starts++;
            Files.writeString(
                    log,
                    "==== fault-injection: start #" + starts + " of " + name + " at " + Instant.now() + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            logOffset = Files.size(log);
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    @Override
    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Process p;
            synchronized (this) {
                p = process;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException(name + " exited with " + p.exitValue() + "; see " + log);
            }
            if (ready()) {
                return;
            }
            sleep(200);
        }
        throw new IllegalStateException(name + " not ready within " + timeout + "; see " + log);
    }

    private boolean ready() {
        if (health != null) {
            try {
                HttpResponse<String> response = HTTP.send(
                        HttpRequest.newBuilder(health)
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                return response.statusCode() == 200 && response.body().contains("\"UP\"");
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        try {
            byte[] all = Files.readAllBytes(log);
            String since = new String(
                    all,
                    (int) Math.min(logOffset, all.length),
                    (int) Math.max(0, all.length - logOffset),
                    StandardCharsets.UTF_8);
            return since.contains(readyLine);
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void kill() {
        Process p;
        synchronized (this) {
            p = process;
        }
        p.destroyForcibly(); // SIGKILL to this PID only
        waitFor(p, 10);
    }

    /**
     * SIGTERM, by PID, as a container platform stops a process, and waits until it exits.
     *
     * @return whether it exited by itself within {@code timeout} (it is left running if not)
     */
    boolean terminate(Duration timeout) {
        Process p;
        synchronized (this) {
            p = process;
        }
        p.destroy(); // SIGTERM on Linux
        try {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void stop() {
        Process p;
        synchronized (this) {
            p = process;
        }
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        if (!waitFor(p, 20)) {
            p.destroyForcibly();
            waitFor(p, 10);
        }
    }

    @Override
    public synchronized long pid() {
        return process.pid();
    }

    private static boolean waitFor(Process p, int seconds) {
        try {
            return p.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
