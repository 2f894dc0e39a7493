package io.switchboard.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.reactive.RedisScriptingReactiveCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A Redis Lua script kept as a classpath resource (scripts live in files, where they can be read and
 * reviewed as Lua). Runs with {@code EVALSHA}, so only the 40-char digest crosses the network, and
 * falls back to {@code EVAL} once when the server does not know the script (after a restart or
 * {@code SCRIPT FLUSH}), which also loads it again.
 *
 * <p>Scripts run atomically on the Redis server: that atomicity is what the stores built on them
 * rely on.
 */
public final class LuaScript {

    private final String name;
    private final String body;
    private final ScriptOutputType outputType;
    private volatile String sha;

    private LuaScript(String name, String body, ScriptOutputType outputType) {
        this.name = name;
        this.body = body;
        this.outputType = outputType;
    }

    /** Loads {@code resource} relative to {@code owner}'s package. */
    public static LuaScript fromResource(Class<?> owner, String resource, ScriptOutputType outputType) {
        try (InputStream in = owner.getResourceAsStream(resource)) {
            Objects.requireNonNull(in, () -> "missing Lua script " + resource + " next to " + owner.getName());
            return new LuaScript(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8), outputType);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs the script. The result is its return value, typed by the output type: a {@code Long} for
     * {@code INTEGER}, a {@code List<Object>} for {@code MULTI}.
     */
    public <T> Mono<T> run(RedisScriptingReactiveCommands<String, String> redis, String[] keys, String... args) {
        String digest = sha;
        if (digest == null) {
            digest = redis.digest(body);
            sha = digest;
        }
        Flux<T> bySha = redis.evalsha(digest, outputType, keys, args);
        return bySha.onErrorResume(RedisNoScriptException.class, e -> redis.eval(body, outputType, keys, args))
                .next();
    }

    @Override
    public String toString() {
        return "LuaScript[" + name + "]";
    }
}
