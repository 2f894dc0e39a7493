package io.switchboard.redis;

/**
 * How a service reaches Redis; bound from {@code switchboard.redis.*}.
 *
 * @param uri a Lettuce Redis URI; default {@code redis://127.0.0.1:16379} (the local suite)
 */
public record RedisSettings(String uri) {

    public static final String DEFAULT_URI = "redis://127.0.0.1:16379";

    public RedisSettings {
        if (uri == null || uri.isBlank()) {
            uri = DEFAULT_URI;
        }
    }

    /** The URI without its credentials ({@code redis://user:password@host} → {@code redis://***@host}). */
    @Override
    public String toString() {
        return "RedisSettings[uri=" + uri.replaceFirst("//[^/@]*@", "//***@") + "]";
    }
}
