package io.switchboard.offline.sequencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.inbox.InMemoryMessageStore;
import io.switchboard.protocol.RawJson;
import io.switchboard.protocol.envelope.EnvelopeCodec;
import io.switchboard.protocol.envelope.InboundMessage;
import io.switchboard.protocol.envelope.SequencedMessage;
import io.switchboard.protocol.envelope.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** Stored first, numbered per recipient in offset order, handed on in that order, committed only after. */
class SequencingPipelineTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final EnvelopeCodec codec = new EnvelopeCodec();
    private final InMemoryMessageStore store = new InMemoryMessageStore();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    /** The records of every call to the output that succeeded (an empty one too): what routing received. */
    private final List<List<ProducerRecord<String, byte[]>>> handedOn = new CopyOnWriteArrayList<>();

    private final AtomicBoolean kafkaDown = new AtomicBoolean();
    private final SequencedOutput output = records -> Mono.defer(() -> {
        if (kafkaDown.get()) {
            return Mono.error(new TimeoutException("not acknowledged in time"));
        }
        handedOn.add(List.copyOf(records));
        return Mono.empty();
    });
    private final SequencingPipeline pipeline = new SequencingPipeline(store, output, meters);

    private long nextOffset;

    private static InboundMessage message(String id, String to) {
        return new InboundMessage(
                id, "c-" + id, "alice", to, 1_700_000_000_000L, new RawJson("{\"text\":\"" + id + "\"}"));
    }

    private ConsumerRecord<String, byte[]> record(InboundMessage m) {
        return record(m.to(), codec.encode(m));
    }

    private ConsumerRecord<String, byte[]> record(String key, byte[] value) {
        return new ConsumerRecord<>(Topics.INBOUND, 0, nextOffset++, key, value);
    }

    private byte[] utf16(InboundMessage m) {
        return new String(codec.encode(m), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_16BE);
    }

    private List<SequencedMessage> inbox(String recipient) {
        return store.read(recipient, 0, 100).block(WAIT).messages();
    }

    private List<SequencedMessage> handedOnMessages() {
        return handedOn.stream()
                .flatMap(List::stream)
                .map(r -> codec.decodeSequenced(r.value()))
                .toList();
    }

    private double counted(OfflineMeters meter) {
        return meters.get(meter.meterName()).counter().count();
    }

    @Test
    void aBatchIsNumberedPerRecipientInOffsetOrderAndHandedOnInThatOrderInOneCall() {
        InboundMessage bob1 = message("m1", "bob");
        InboundMessage carol1 = message("m2", "carol");
        InboundMessage bob2 = message("m3", "bob");
        InboundMessage bob3 = message("m4", "bob");
        InboundMessage carol2 = message("m5", "carol");

        pipeline.handle(List.of(record(bob1), record(carol1), record(bob2), record(bob3), record(carol2)))
                .block(WAIT);

        List<SequencedMessage> expected = List.of(
                SequencedMessage.of(bob1, 1),
                SequencedMessage.of(carol1, 1),
                SequencedMessage.of(bob2, 2),
                SequencedMessage.of(bob3, 3),
                SequencedMessage.of(carol2, 2));
        assertThat(handedOn).as("one hand-over per batch").hasSize(1);
        assertThat(handedOnMessages()).containsExactlyElementsOf(expected);
        assertThat(handedOn.get(0))
                .allSatisfy(r -> {
                    assertThat(r.topic()).isEqualTo(Topics.SEQUENCED);
                    assertThat(r.key())
                            .isEqualTo(codec.decodeSequenced(r.value()).to());
                })
                .extracting(ProducerRecord::key)
                .containsExactly("bob", "carol", "bob", "bob", "carol");
        assertThat(inbox("bob"))
                .as("what was handed on is what is stored")
                .containsExactly(expected.get(0), expected.get(2), expected.get(3));
        assertThat(inbox("carol")).containsExactly(expected.get(1), expected.get(4));
        assertThat(counted(OfflineMeters.MESSAGES_STORED)).isEqualTo(5);
    }

    @Test
    void aMalformedRecordIsSkippedAndCountedWhileTheRestOfItsBatchIsStoredAndHandedOn() {
        InboundMessage bob1 = message("m1", "bob");
        InboundMessage bob2 = message("m2", "bob");

        pipeline.handle(List.of(
                        record(bob1),
                        record("bob", "{not json".getBytes(StandardCharsets.UTF_8)),
                        record("bob", null),
                        record("bob", "{\"v\":1,\"id\":\"m9\"}".getBytes(StandardCharsets.UTF_8)),
                        record("bob", utf16(message("m8", "bob"))), // a foreign producer's encoding
                        record(bob2)))
                .block(WAIT);

        List<SequencedMessage> expected = List.of(SequencedMessage.of(bob1, 1), SequencedMessage.of(bob2, 2));
        assertThat(handedOnMessages()).containsExactlyElementsOf(expected);
        assertThat(inbox("bob")).containsExactlyElementsOf(expected);
        assertThat(meters.get(OfflineMeters.RECORDS_REJECTED.meterName())
                        .tag("reason", "malformed")
                        .counter()
                        .count())
                .isEqualTo(4);
        assertThat(counted(OfflineMeters.MESSAGES_STORED))
                .as("only the messages stored")
                .isEqualTo(2);
    }

    @Test
    void aBatchNotHandedOnFailsAndItsRedeliveryHandsOnTheSeqsItWasGiven() {
        InboundMessage bob1 = message("m1", "bob");
        InboundMessage bob2 = message("m2", "bob");
        List<ConsumerRecord<String, byte[]>> batch = List.of(record(bob1), record(bob2));
        kafkaDown.set(true);

        StepVerifier.create(pipeline.handle(batch))
                .as("not completed, so the receiver does not commit the batch")
                .expectErrorMessage("not acknowledged in time")
                .verify(WAIT);

        kafkaDown.set(false);
        pipeline.handle(batch).block(WAIT); // Kafka delivers the uncommitted batch again
        pipeline.handle(List.of(record(message("m3", "bob")))).block(WAIT);

        assertThat(handedOnMessages())
                .extracting(SequencedMessage::id, SequencedMessage::seq)
                .containsExactly(tuple("m1", 1L), tuple("m2", 2L), tuple("m3", 3L));
        assertThat(inbox("bob"))
                .extracting(SequencedMessage::seq)
                .as("stored once each")
                .containsExactly(1L, 2L, 3L);
        assertThat(counted(OfflineMeters.MESSAGES_STORED)).isEqualTo(3);
    }

    @Test
    void aBatchOfOnlyMalformedRecordsCompletesWithoutAHandOver() {
        StepVerifier.create(pipeline.handle(
                        List.of(record("bob", null), record("bob", "[]".getBytes(StandardCharsets.UTF_8)))))
                .verifyComplete();

        assertThat(handedOn).as("calls to the output").isEmpty();
        assertThat(store.lastSeq("bob").block(WAIT)).isZero();
    }
}
