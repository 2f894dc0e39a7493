package io.switchboard.gateway.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.kafka.KafkaSender;
import io.switchboard.protocol.RawJson;
import io.switchboard.protocol.envelope.InboundMessage;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/** The node-wide bound on fanned-out copies waiting for Kafka: by count, and by bytes. */
class FanOutTest {

    private static final List<String> MEMBERS = List.of("m1", "m2", "m3", "m4", "m5", "m6");
    private static final long ONE_MIB = 1 << 20;

    /** A broker that answers only when the test says so. */
    private final MockProducer<String, byte[]> producer =
            new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());

    private final KafkaSender<String, byte[]> sender = new KafkaSender<>(producer, "test", 100);
    private final FanOut fanOut = new FanOut(sender, 500, 4, 1_000, ONE_MIB);

    @AfterEach
    void close() {
        sender.close(Duration.ofSeconds(1));
    }

    private static InboundMessage groupMessage(String id, int bodyBytes) {
        String body = "\"" + "x".repeat(bodyBytes - 2) + "\"";
        return new InboundMessage(id, "c-" + id, "alice", "alice", 0, new RawJson(body), "g1");
    }

    @Test
    void largeGroupMessagesAreRefusedOnceTheirCopiesWouldExceedTheByteBudget() {
        // Six copies of a 100 KB body: 0.6 MB held until Kafka answers; a second would pass 1 MiB.
        fanOut.send(groupMessage("a", 100_000), MEMBERS, true).subscribe();
        await().until(() -> producer.history().size() == 6);

        FanOut.Result second =
                fanOut.send(groupMessage("b", 100_000), MEMBERS, true).block(Duration.ofSeconds(5));
        var small = fanOut.send(groupMessage("c", 100), MEMBERS, true).toFuture();

        assertThat(second.overloaded())
                .as("far below the copy limit, over the byte limit")
                .isTrue();
        assertThat(small)
                .as("a small message still fits: its copies wait for Kafka")
                .isNotDone();
        await().until(() -> producer.history().size() == 12);
    }

    @Test
    void aCallerThatStopsWaitingDoesNotFreeWhatItsCopiesStillHold() {
        Disposable caller =
                fanOut.send(groupMessage("a", 100_000), MEMBERS, true).subscribe();
        await().until(() -> producer.history().size() == 6);

        caller.dispose(); // the client disconnected

        assertThat(fanOut.inflight()).as("copies still in the producer").isEqualTo(6);
        assertThat(fanOut.inflightBytes()).isGreaterThan(6 * 100_000L);
        while (producer.completeNext()) {
            // Kafka answers
        }
        await().until(() -> fanOut.inflight() == 0 && fanOut.inflightBytes() == 0);
    }
}
