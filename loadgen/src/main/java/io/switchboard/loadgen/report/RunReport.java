package io.switchboard.loadgen.report;

import io.switchboard.loadgen.scenario.IdleResult;
import io.switchboard.loadgen.scenario.PhaseResult;
import io.switchboard.loadgen.scenario.ReconnectResult;
import io.switchboard.protocol.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** Everything one invocation measured, written as JSON (and as Markdown by {@link MarkdownReport}). */
public record RunReport(
        String date,
        Machine machine,
        Map<String, String> versions,
        Map<String, String> settings,
        List<TargetCheck> targets,
        List<PhaseResult> messaging,
        List<IdleResult> idle,
        List<ReconnectResult> reconnect) {

    public static RunReport start(Map<String, String> settings) {
        return new RunReport(
                java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC)
                        .withNano(0)
                        .toString(),
                Machine.current(),
                builtVersions(),
                new TreeMap<>(settings),
                new ArrayList<>(),
                new ArrayList<>(),
                new ArrayList<>(),
                new ArrayList<>());
    }

    /** Versions of what was measured, as built (from the load generator's own build). */
    public static Map<String, String> builtVersions() {
        Map<String, String> versions = new TreeMap<>();
        try (InputStream in = RunReport.class.getResourceAsStream("/loadgen-versions.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                p.forEach((k, v) -> versions.put(k.toString(), v.toString()));
            }
        } catch (IOException e) {
            // versions are informative only
        }
        versions.put("jdk", System.getProperty("java.runtime.version"));
        return versions;
    }

    public void writeJson(Path file) {
        writeJson(file, this);
    }

    /** Writes {@code value} as pretty-printed JSON to {@code file}, creating its directory if needed. */
    public static void writeJson(Path file, Object value) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
