package io.switchboard.gateway.inbound;

import io.switchboard.kafka.KafkaSender;
import io.switchboard.protocol.envelope.EnvelopeCodec;
import io.switchboard.protocol.envelope.InboundMessage;
import io.switchboard.protocol.envelope.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Writes one message to {@link Topics#INBOUND} once per recipient (same message id, each copy keyed
 * by its recipient), in chunks, and tells which recipients' copies Kafka acknowledged.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li>A recipient is reported {@code accepted} only once Kafka acknowledged its copy
 *       ({@code acks=all}); from then on it is never lost.
 *   <li>A recipient reported {@code failed} may or may not have its copy: writing it again under the
 *       same message id (a retry) stores and delivers it once either way.
 *   <li>Bounded: at most {@code chunksInFlight} chunks of one call wait for Kafka, and all calls of a
 *       node together reserve at most {@code maxInflightCopies} copies; a call that cannot reserve
 *       its copies writes nothing and reports every recipient failed, {@link Result#overloaded()}.
 *   <li>Order: with {@code allAtOnce}, every chunk is handed to the producer during the subscription,
 *       so the copies of messages fanned out one after the other keep that order per recipient.
 * </ul>
 */
public final class FanOut {

    private static final Logger log = LoggerFactory.getLogger(FanOut.class);

    private final KafkaSender<String, byte[]> sender;
    private final EnvelopeCodec codec = new EnvelopeCodec();
    private final int chunk;
    private final int chunksInFlight;
    private final int maxInflightCopies;
    private final AtomicInteger inflightCopies = new AtomicInteger();

    public FanOut(KafkaSender<String, byte[]> sender, int chunk, int chunksInFlight, int maxInflightCopies) {
        this.sender = sender;
        this.chunk = chunk;
        this.chunksInFlight = chunksInFlight;
        this.maxInflightCopies = maxInflightCopies;
    }

    private boolean tryReserve(int copies) {
        while (true) {
            int now = inflightCopies.get();
            if (now + copies > maxInflightCopies) {
                return false;
            }
            if (inflightCopies.compareAndSet(now, now + copies)) {
                return true;
            }
        }
    }

    /** Copies reserved on this node right now, for metrics. */
    public int inflight() {
        return inflightCopies.get();
    }

    /**
     * Writes {@code message} (its {@code to} is replaced) to every recipient. Never fails: Kafka
     * errors end up in {@link Result#failed()}.
     *
     * @param allAtOnce hand every chunk to the producer during the subscription (keeps order with the
     *     caller's next fan-out; for bounded recipient lists such as a group); otherwise at most
     *     {@code chunksInFlight} chunks at a time, later chunks encoded off the producer's thread
     */
    public Mono<Result> send(InboundMessage message, List<String> recipients, boolean allAtOnce) {
        return Mono.defer(() -> {
            if (!tryReserve(recipients.size())) {
                return Mono.just(new Result(List.of(), recipients, true));
            }
            return write(message, recipients, allAtOnce)
                    .doFinally(signal -> inflightCopies.addAndGet(-recipients.size()));
        });
    }

    private Mono<Result> write(InboundMessage message, List<String> recipients, boolean allAtOnce) {
        List<List<String>> chunks = new ArrayList<>((recipients.size() + chunk - 1) / chunk);
        for (int from = 0; from < recipients.size(); from += chunk) {
            chunks.add(recipients.subList(from, Math.min(recipients.size(), from + chunk)));
        }
        int concurrency = allAtOnce ? Math.max(1, chunks.size()) : chunksInFlight;
        return Flux.fromIterable(chunks)
                .flatMap(
                        part -> Mono.defer(() -> sender.sendAll(records(message, part)))
                                .publishOn(Schedulers.parallel())
                                .map(acked -> new Part(part, true))
                                .onErrorResume(e -> {
                                    log.warn(
                                            "message {}: {} copies not acknowledged: {}",
                                            message.id(),
                                            part.size(),
                                            e.toString());
                                    return Mono.just(new Part(part, false));
                                }),
                        concurrency)
                .collectList()
                .map(parts -> {
                    List<String> accepted = new ArrayList<>(recipients.size());
                    List<String> failed = new ArrayList<>();
                    for (Part part : parts) {
                        (part.acked() ? accepted : failed).addAll(part.recipients());
                    }
                    return new Result(accepted, failed, false);
                });
    }

    private List<ProducerRecord<String, byte[]>> records(InboundMessage message, List<String> recipients) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(recipients.size());
        for (String recipient : recipients) {
            records.add(new ProducerRecord<>(Topics.INBOUND, recipient, codec.encode(message.to(recipient))));
        }
        return records;
    }

    private record Part(List<String> recipients, boolean acked) {}

    /**
     * @param accepted recipients whose copy Kafka acknowledged
     * @param failed recipients whose copy is not confirmed (retry with the same message id)
     * @param overloaded nothing was written: this node had too many copies in flight
     */
    public record Result(List<String> accepted, List<String> failed, boolean overloaded) {
        public boolean complete() {
            return failed.isEmpty();
        }
    }
}
