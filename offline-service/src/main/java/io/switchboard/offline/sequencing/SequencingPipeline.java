package io.switchboard.offline.sequencing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.switchboard.inbox.MessageStore;
import io.switchboard.protocol.envelope.EnvelopeCodec;
import io.switchboard.protocol.envelope.InboundMessage;
import io.switchboard.protocol.envelope.MalformedEnvelopeException;
import io.switchboard.protocol.envelope.SequencedMessage;
import io.switchboard.protocol.envelope.Topics;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reads {@link Topics#INBOUND}, stores each message with its recipient's next seq, and forwards it to
 * {@link Topics#SEQUENCED} (or straight to routing, see {@link SequencedOutput}). A batch's offsets
 * are committed only after every message of it is stored and handed on durably, so a crash at any
 * point redelivers the batch;
 * the store's idempotence by message id gives a redelivered message the seq it already had.
 *
 * <p>Order: records of one recipient share a partition and arrive in offset order; a batch is stored
 * with one {@link MessageStore#appendAll} call, which numbers each recipient's messages in that
 * order, and forwards are sent in that order, so seqs and the sequenced topic agree.
 */
public final class SequencingPipeline {

    private static final Logger log = LoggerFactory.getLogger(SequencingPipeline.class);

    private final MessageStore store;
    private final SequencedOutput output;
    private final EnvelopeCodec codec = new EnvelopeCodec();
    private final Counter stored;
    private final MeterRegistry meters;
    private final Timer batchDuration;
    private final Timer storeDuration;

    public SequencingPipeline(MessageStore store, SequencedOutput output, MeterRegistry meters) {
        this.store = store;
        this.output = output;
        this.meters = meters;
        this.stored = Counter.builder(OfflineMeters.MESSAGES_STORED.meterName())
                .description("messages stored in a recipient's inbox")
                .register(meters);
        this.batchDuration = Timer.builder(OfflineMeters.BATCH_DURATION.meterName())
                .description("time to store and forward one batch of inbound records")
                .register(meters);
        this.storeDuration = Timer.builder(OfflineMeters.STORE_DURATION.meterName())
                .description("time to store one batch of inbound records in the inboxes")
                .register(meters);
    }

    /** Handles one batch; the receiver commits it when the returned Mono completes. */
    public Mono<Void> handle(List<ConsumerRecord<String, byte[]>> batch) {
        long started = System.nanoTime();
        return Flux.fromIterable(batch)
                .mapNotNull(this::decode)
                .collectList()
                .flatMapMany(this::store)
                .map(this::forward)
                .collectList()
                .flatMap(records -> (records.isEmpty() ? Mono.<Void>empty() : output.send(records))
                        .then(Mono.fromRunnable(() -> {
                            stored.increment(records.size()); // malformed records are counted as rejected
                            batchDuration.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                        })))
                .then();
    }

    /** Called as the batch's list is ready, so the clock starts when the store call does. */
    private Flux<SequencedMessage> store(List<InboundMessage> messages) {
        long started = System.nanoTime();
        return store.appendAll(messages)
                .doOnComplete(() -> storeDuration.record(System.nanoTime() - started, TimeUnit.NANOSECONDS));
    }

    private InboundMessage decode(ConsumerRecord<String, byte[]> record) {
        // Skipping is safe: no gateway acknowledged a record it could not have written. Only what the
        // codec calls malformed is skipped; any other failure fails the batch, which is then retried
        // rather than lost.
        if (record.value() == null) {
            return rejected(record, "null record value");
        }
        try {
            return codec.decodeInbound(record.value());
        } catch (MalformedEnvelopeException e) {
            return rejected(record, e.getMessage());
        }
    }

    private InboundMessage rejected(ConsumerRecord<String, byte[]> record, String why) {
        log.error(
                "skipping malformed inbound record {}-{}@{}: {}",
                record.topic(),
                record.partition(),
                record.offset(),
                why);
        meters.counter(OfflineMeters.RECORDS_REJECTED.meterName(), "reason", "malformed")
                .increment();
        return null;
    }

    private ProducerRecord<String, byte[]> forward(SequencedMessage m) {
        return new ProducerRecord<>(Topics.SEQUENCED, m.to(), codec.encode(m));
    }
}
