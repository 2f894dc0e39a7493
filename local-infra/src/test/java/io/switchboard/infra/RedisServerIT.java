package io.switchboard.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisServerIT {

    @Test
    void servesCommandsWritesAnAofAndStopsByPid(@TempDir Path dir) throws Exception {
        long pid;
        try (RedisServer redis =
                RedisServer.start(RedisServer.Options.defaults().dataDir(dir))) {
            pid = redis.pid();
            assertThat(command(redis.port(), "SET k v")).isEqualTo("+OK");
            assertThat(command(redis.port(), "CONFIG GET appendonly")).isEqualTo("*2");
        }

        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .isFalse();
        try (var files = Files.walk(dir)) {
            assertThat(files.map(Path::getFileName).map(Path::toString)).anyMatch(name -> name.contains(".aof"));
        }
    }

    @Test
    void aPortAnotherRedisHoldsIsRefusedInsteadOfSharingThatRedis(@TempDir Path dir) {
        try (RedisServer first = RedisServer.start(RedisServer.Options.defaults())) {
            Throwable refused = catchThrowable(() -> RedisServer.start(
                    RedisServer.Options.defaults().port(first.port()).dataDir(dir)));
            assertThat(refused).isInstanceOf(IllegalStateException.class).hasMessageContaining("already in use");
            if (Files.isDirectory(Path.of("/proc"))) {
                // names the process, so whoever finds a killed suite's redis-server left behind can stop it
                assertThat(refused).hasMessageContaining("redis-server pid " + first.pid());
            }
        }
    }

    @Test
    void anAppendOnlyServerKeepsItsDataAcrossARestart(@TempDir Path dir) throws Exception {
        try (RedisServer redis =
                RedisServer.start(RedisServer.Options.defaults().dataDir(dir))) {
            assertThat(command(redis.port(), "SET k kept")).isEqualTo("+OK");
        }
        try (RedisServer redis =
                RedisServer.start(RedisServer.Options.defaults().dataDir(dir))) {
            assertThat(command(redis.port(), "GET k")).isEqualTo("$4\r\nkept");
        }
    }

    /** Sends one inline command; returns the reply's first line, and for a bulk string its value too. */
    private static String command(int port, String command) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String first = in.readLine();
            return first.startsWith("$") && !first.equals("$-1") ? first + "\r\n" + in.readLine() : first;
        }
    }

    @Test
    void withoutARedisOnThePathTheBinaryFromMavenCentralServes() throws Exception {
        System.setProperty("switchboard.redis.server", "bundled");
        try (RedisServer redis = RedisServer.start(RedisServer.Options.defaults())) {
            assertThat(redis.binaryDescription()).startsWith("bundled redis-server-6.2");
            assertThat(command(redis.port(), "SET k v")).isEqualTo("+OK");
        } finally {
            System.clearProperty("switchboard.redis.server");
        }
    }
}
