package io.switchboard.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.test.TestInfra;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** The connection's bound on queued commands, against a real redis-server. */
class RedisConnectionIT {

    @Test
    void commandsBeyondTheBoundFailAndTheConnectionCarriesOn() throws Exception {
        try (RedisConnection connection = RedisConnection.connect(new RedisSettings(TestInfra.redisUri()));
                RedisConnection admin = RedisConnection.connect(new RedisSettings(TestInfra.redisUri()))) {
            String key = TestInfra.uniqueId("queued");
            // Redis stops answering for a while: the connection's commands queue on the client
            admin.sync().clientPause(3_000);
            List<CompletableFuture<Long>> answers = new ArrayList<>();
            AtomicInteger refused = new AtomicInteger();
            for (int i = 0; i < RedisConnection.MAX_QUEUED_COMMANDS + 100; i++) {
                answers.add(connection
                        .reactive()
                        .incr(key)
                        .doOnError(e -> {
                            // "Request queue size exceeded" before the write, "Internal stack size
                            // exceeded" once written and awaiting an answer
                            if (String.valueOf(e.getMessage()).contains("size exceeded")) {
                                refused.incrementAndGet();
                            }
                        })
                        .onErrorResume(e -> Mono.empty())
                        .toFuture());
            }
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

            // Lettuce lets a few maintenance commands (AUTH, SELECT…) past the bound
            assertThat(refused.get()).as("refused beyond the bound").isBetween(90, 100);
            assertThat(connection.sync().get(key))
                    .as("every command within the bound ran, once")
                    .isEqualTo(Integer.toString(answers.size() - refused.get()));
            assertThat(connection.reactive().ping().block(Duration.ofSeconds(5)))
                    .isEqualTo("PONG");
        }
    }
}
