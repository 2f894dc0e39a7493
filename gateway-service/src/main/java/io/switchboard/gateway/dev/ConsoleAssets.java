package io.switchboard.gateway.dev;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.http.MediaType;

/**
 * The agent console's files (built from {@code clients/console} into this package's {@code console/}
 * resources), read once at start-up and served from memory: a few tens of kilobytes, and no file or
 * jar reads on an event loop afterwards.
 */
final class ConsoleAssets {

    static final String LOCATION = "io/switchboard/gateway/dev/console/";

    /** One file: its bytes and content type. */
    record Asset(byte[] bytes, MediaType type) {}

    private final Map<String, Asset> assets;

    private ConsoleAssets(Map<String, Asset> assets) {
        this.assets = Map.copyOf(assets);
    }

    /** Loads every file under {@link #LOCATION} on the class path of {@code loader}. */
    static ConsoleAssets load(ClassLoader loader) {
        Map<String, Asset> assets = new HashMap<>();
        try {
            Resource root = new PathMatchingResourcePatternResolver(loader).getResource("classpath:" + LOCATION);
            String rootUri = root.getURI().toString();
            for (Resource resource :
                    new PathMatchingResourcePatternResolver(loader).getResources("classpath*:" + LOCATION + "**")) {
                if (!resource.isReadable() || resource.getFilename() == null) {
                    continue;
                }
                String uri = resource.getURI().toString();
                if (!uri.startsWith(rootUri) || uri.endsWith("/")) {
                    continue;
                }
                String path = uri.substring(rootUri.length());
                try (InputStream in = resource.getInputStream()) {
                    assets.put(path, new Asset(in.readAllBytes(), typeOf(path)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the console's files", e);
        }
        return new ConsoleAssets(assets);
    }

    /** The file at {@code path} (relative, e.g. {@code assets/console.js}); the empty path is the page. */
    Optional<Asset> find(String path) {
        return Optional.ofNullable(assets.get(path.isEmpty() ? "index.html" : path));
    }

    boolean isEmpty() {
        return assets.isEmpty();
    }

    private static MediaType typeOf(String path) {
        if (path.endsWith(".html")) {
            return new MediaType("text", "html", java.nio.charset.StandardCharsets.UTF_8);
        }
        if (path.endsWith(".js")) {
            return new MediaType("text", "javascript", java.nio.charset.StandardCharsets.UTF_8);
        }
        if (path.endsWith(".css")) {
            return new MediaType("text", "css", java.nio.charset.StandardCharsets.UTF_8);
        }
        if (path.endsWith(".svg")) {
            return MediaType.valueOf("image/svg+xml");
        }
        if (path.endsWith(".png")) {
            return MediaType.IMAGE_PNG;
        }
        return MediaType.APPLICATION_OCTET_STREAM;
    }
}
