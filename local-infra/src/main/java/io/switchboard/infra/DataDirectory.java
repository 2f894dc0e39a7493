package io.switchboard.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A server's data directory: the given one (kept), or a temporary one (deleted on close). */
final class DataDirectory {

    private final Path path;
    private final boolean temporary;

    private DataDirectory(Path path, boolean temporary) {
        this.path = path;
        this.temporary = temporary;
    }

    static DataDirectory of(Path given, String tempPrefix) {
        try {
            if (given != null) {
                return new DataDirectory(Files.createDirectories(given), false);
            }
            return new DataDirectory(Files.createTempDirectory(tempPrefix), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory", e);
        }
    }

    Path path() {
        return path;
    }

    void release() {
        if (!temporary) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover temp directory is harmless; failing a shutdown over it is not.
        }
    }
}
