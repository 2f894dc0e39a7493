package io.switchboard.routing.forwarding;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.kafka.KafkaSender;
import io.switchboard.presence.InMemoryPresenceStore;
import io.switchboard.presence.PresenceSession;
import io.switchboard.protocol.RawJson;
import io.switchboard.protocol.envelope.EnvelopeCodec;
import io.switchboard.protocol.envelope.SequencedMessage;
import io.switchboard.protocol.envelope.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** One copy per node holding the recipient, unchanged, in offset order; committed only once all are written. */
class RoutingPipelineTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration TTL = Duration.ofMinutes(1);
    private static final String GW_1 = Topics.node("gw-1");
    private static final String GW_2 = Topics.node("gw-2");

    private final EnvelopeCodec codec = new EnvelopeCodec();
    private final InMemoryPresenceStore presence = new InMemoryPresenceStore(Clock.systemUTC());

    /** The topics Kafka has: gateways create theirs before they register a session. */
    private final Set<String> topics = ConcurrentHashMap.newKeySet();

    private final NodeTopicDirectory nodeTopics =
            new NodeTopicDirectory(() -> Set.copyOf(topics), () -> {}, Duration.ofMillis(10));

    /** A broker that acknowledges every record at once. */
    private final MockProducer<String, byte[]> producer =
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());

    private final KafkaSender<String, byte[]> sender = new KafkaSender<>(producer, "test", 100);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final RoutingPipeline pipeline = new RoutingPipeline(presence, nodeTopics, sender, meters);

    private long nextOffset;
    private long nextConnect;

    @AfterEach
    void close() {
        sender.close(Duration.ofSeconds(1));
    }

    /** A copy as a gateway node reads it. */
    private record Copy(String topic, String key, String value) {
        static Copy of(ProducerRecord<String, byte[]> r) {
            return new Copy(r.topic(), r.key(), new String(r.value(), StandardCharsets.UTF_8));
        }

        static Copy of(String topic, ConsumerRecord<String, byte[]> r) {
            return new Copy(topic, r.key(), new String(r.value(), StandardCharsets.UTF_8));
        }
    }

    private List<Copy> forwarded() {
        return producer.history().stream().map(Copy::of).toList();
    }

    private void connect(String user, String device, String nodeId) {
        topics.add(Topics.node(nodeId));
        presence.register(new PresenceSession(user, device, user + "-" + device, nodeId, ++nextConnect), TTL)
                .block(WAIT);
    }

    private ConsumerRecord<String, byte[]> sequenced(String to, long seq) {
        String id = to + "-" + seq;
        SequencedMessage m = new SequencedMessage(
                id, seq, "alice", to, 1_700_000_000_000L, new RawJson("{\"text\": \"" + id + "\"}"));
        return new ConsumerRecord<>(Topics.SEQUENCED, 0, nextOffset++, to, codec.encode(m));
    }

    private double counted(RoutingMeters meter) {
        return meters.get(meter.meterName()).counter().count();
    }

    @Test
    void eachRecordGoesUnchangedOnceToEveryNodeHoldingItsRecipientInOffsetOrder() {
        connect("bob", "phone", "gw-1");
        connect("bob", "laptop", "gw-1");
        connect("bob", "tablet", "gw-2");
        connect("carol", "phone", "gw-2");
        var bob1 = sequenced("bob", 1);
        var carol1 = sequenced("carol", 1);
        var bob2 = sequenced("bob", 2);

        StepVerifier.create(pipeline.handle(List.of(bob1, carol1, bob2))).verifyComplete();

        assertThat(forwarded())
                .containsExactly(
                        Copy.of(GW_1, bob1),
                        Copy.of(GW_2, bob1),
                        Copy.of(GW_2, carol1),
                        Copy.of(GW_1, bob2),
                        Copy.of(GW_2, bob2));
        assertThat(counted(RoutingMeters.MESSAGES_ROUTED)).isEqualTo(5);
    }

    @Test
    void forwardsKeepOffsetOrderWhileTheNodesTopicIsStillBeingLookedUp() {
        CountDownLatch kafkaAnswers = new CountDownLatch(1);
        AtomicInteger listings = new AtomicInteger();
        NodeTopicDirectory slowDirectory = new NodeTopicDirectory(
                () -> {
                    listings.incrementAndGet();
                    try {
                        if (!kafkaAnswers.await(5, TimeUnit.SECONDS)) { // a slow metadata request
                            throw new IllegalStateException("the test never let Kafka answer");
                        }
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return Set.copyOf(topics);
                },
                () -> {},
                Duration.ofMillis(10));
        RoutingPipeline freshRouting = new RoutingPipeline(presence, slowDirectory, sender, meters);
        connect("bob", "phone", "gw-1"); // a node routing has not seen yet
        var batch = List.of(sequenced("bob", 1), sequenced("bob", 2), sequenced("bob", 3));

        var done = freshRouting.handle(batch).toFuture();
        kafkaAnswers.countDown();

        assertThat(done).succeedsWithin(WAIT);
        assertThat(forwarded())
                .containsExactlyElementsOf(
                        batch.stream().map(r -> Copy.of(GW_1, r)).toList());
        assertThat(listings).as("later records use the first answer").hasValue(1);
    }

    @Test
    void aRecipientWithoutSessionsNeedsNoForwardAndTheBatchCompletes() {
        connect("bob", "phone", "gw-1");
        var dave1 = sequenced("dave", 1);
        var bob1 = sequenced("bob", 1);

        StepVerifier.create(pipeline.handle(List.of(dave1, bob1))).verifyComplete();
        StepVerifier.create(pipeline.handle(List.of(sequenced("dave", 2)))).verifyComplete();

        assertThat(forwarded()).containsExactly(Copy.of(GW_1, bob1));
        assertThat(counted(RoutingMeters.MESSAGES_NOT_CONNECTED)).isEqualTo(2);
        assertThat(counted(RoutingMeters.MESSAGES_ROUTED)).isEqualTo(1);
    }

    @Test
    void aNodeWithoutATopicGetsNothingWhileTheOtherNodesGetTheirCopies() {
        connect("bob", "phone", "gw-1");
        connect("bob", "laptop", "gw-gone");
        topics.remove(Topics.node("gw-gone")); // its node died and the topic was reaped
        var bob1 = sequenced("bob", 1);

        StepVerifier.create(pipeline.handle(List.of(bob1))).verifyComplete();

        assertThat(forwarded()).containsExactly(Copy.of(GW_1, bob1));
        assertThat(counted(RoutingMeters.UNKNOWN_NODE)).isEqualTo(1);
        assertThat(counted(RoutingMeters.MESSAGES_ROUTED)).isEqualTo(1);
    }

    @Test
    void aSessionOnANodeWhoseIdCannotNameATopicDoesNotHoldUpTheBatch() {
        connect("bob", "phone", "gw-1");
        presence.register(new PresenceSession("bob", "laptop", "bob-laptop", "gw/1", ++nextConnect), TTL)
                .block(WAIT);
        var bob1 = sequenced("bob", 1);

        StepVerifier.create(pipeline.handle(List.of(bob1))).verifyComplete();

        assertThat(forwarded()).containsExactly(Copy.of(GW_1, bob1));
        assertThat(counted(RoutingMeters.UNKNOWN_NODE))
                .as("counted, not silently dropped")
                .isEqualTo(1);
    }

    @Test
    void aBatchWhoseForwardsKafkaDidNotTakeFailsAndIsForwardedAgainOnRedelivery() {
        connect("bob", "phone", "gw-1");
        var batch = List.of(sequenced("bob", 1), sequenced("bob", 2));
        producer.sendException = new TimeoutException("not acknowledged in time");

        StepVerifier.create(pipeline.handle(batch))
                .as("not completed, so the receiver does not commit the batch")
                .expectErrorMessage("not acknowledged in time")
                .verify(WAIT);
        assertThat(counted(RoutingMeters.MESSAGES_ROUTED)).isZero();

        producer.sendException = null;
        StepVerifier.create(pipeline.handle(batch)).verifyComplete();

        assertThat(forwarded()).containsExactly(Copy.of(GW_1, batch.get(0)), Copy.of(GW_1, batch.get(1)));
        assertThat(counted(RoutingMeters.MESSAGES_ROUTED)).isEqualTo(2);
    }
}
