package io.switchboard.suite.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load balancer's nginx configuration from {@code deploy/nginx/}, rendered into a directory the
 * way the nginx image renders it at start ({@code templates/*.template} with the container's
 * environment substituted into {@code conf.d/}), and the Debian {@code nginx} binary to check or run it.
 */
public final class Nginx {

    /** The repository root, seen from the module the tests run in. */
    public static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();

    static final Path MAIN_CONFIG = REPOSITORY.resolve("deploy/nginx/nginx.conf");
    static final Path TEMPLATE = REPOSITORY.resolve("deploy/nginx/templates/default.conf.template");

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)}");

    private Nginx() {}

    /** The nginx binary, if installed ({@code .ci/run} installs Debian's package). */
    public static Optional<Path> binary() {
        for (String candidate : List.of("/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx")) {
            Path path = Path.of(candidate);
            if (Files.isExecutable(path)) {
                return Optional.of(path);
            }
        }
        return Optional.empty();
    }

    /**
     * Writes {@code nginx.conf} and {@code conf.d/default.conf} (the template with {@code environment}
     * substituted, as the image's envsubst does: only the given variables) into {@code directory},
     * plus {@code extra} files under {@code conf.d/}.
     */
    public static Path render(Path directory, Map<String, String> environment, Map<String, String> extra) {
        try {
            Files.createDirectories(directory.resolve("conf.d"));
            Files.copy(MAIN_CONFIG, directory.resolve("nginx.conf"));
            String template = Files.readString(TEMPLATE);
            Matcher m = VARIABLE.matcher(template);
            StringBuilder rendered = new StringBuilder();
            while (m.find()) {
                String value = environment.get(m.group(1));
                m.appendReplacement(rendered, Matcher.quoteReplacement(value == null ? m.group() : value));
            }
            m.appendTail(rendered);
            Files.writeString(directory.resolve("conf.d/default.conf"), rendered.toString());
            for (Map.Entry<String, String> file : extra.entrySet()) {
                Files.writeString(directory.resolve("conf.d").resolve(file.getKey()), file.getValue());
            }
            return directory.resolve("nginx.conf");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The variables the template uses, as the image must be given them. */
    public static List<String> templateVariables() {
        try {
            Matcher m = VARIABLE.matcher(Files.readString(TEMPLATE));
            List<String> names = new ArrayList<>();
            while (m.find()) {
                if (!names.contains(m.group(1))) {
                    names.add(m.group(1));
                }
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The command line running the rendered configuration in {@code directory}, logs and pid file there too. */
    public static List<String> command(Path binary, Path directory, String... extra) {
        List<String> command = new ArrayList<>(List.of(
                binary.toString(),
                "-p",
                directory.toString(),
                "-c",
                directory.resolve("nginx.conf").toString(),
                "-e",
                directory.resolve("error.log").toString(),
                "-g",
                "daemon off; pid " + directory.resolve("nginx.pid") + ";"));
        command.addAll(List.of(extra));
        return command;
    }

    /** Runs {@code nginx -t} on the rendered configuration; returns its exit code and output. */
    public static Result test(Path binary, Path directory) {
        try {
            Process process = new ProcessBuilder(command(binary, directory, "-t"))
                    .redirectErrorStream(true)
                    .start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "nginx -t did not finish in 30 s");
            }
            return new Result(
                    process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An exit code and what the process printed. */
    public record Result(int exitCode, String output) {}
}
