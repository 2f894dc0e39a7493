package io.switchboard.gateway.inbound;

import io.switchboard.kafka.KafkaSender;
import io.switchboard.protocol.envelope.EnvelopeCodec;
import io.switchboard.protocol.envelope.InboundMessage;
import io.switchboard.protocol.envelope.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
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
 *       node together reserve at most {@code maxInflightCopies} copies and {@code maxInflightBytes}
 *       of encoded copies (each copy carries the whole body, so a count alone would let a few large
 *       group messages fill the heap); a call that cannot reserve both writes nothing and reports
 *       every recipient failed, {@link Result#overloaded()}. A reservation lasts until Kafka has
 *       answered for every copy handed to it, also when the caller stops waiting (a client that
 *       disconnects does not free memory its copies still hold).
 *   <li>Order: with {@code allAtOnce}, every chunk is handed to the producer during the subscription,
 *       so the copies of messages fanned out one after the other keep that order per recipient.
 * </ul>
 */
public final class FanOut {

    private static final Logger log = LoggerFactory.getLogger(FanOut.class);
    private static final int COPY_SLACK_BYTES = 512;

    private final KafkaSender<String, byte[]> sender;
    private final EnvelopeCodec codec = new EnvelopeCodec();
    private final int chunk;
    private final int chunksInFlight;
    private final int maxInflightCopies;
    private final long maxInflightBytes;
    // Guarded by this; the copies are read without the lock, for metrics.
    private volatile int inflightCopies;
    private long inflightBytes;

    public FanOut(
            KafkaSender<String, byte[]> sender,
            int chunk,
            int chunksInFlight,
            int maxInflightCopies,
            long maxInflightBytes) {
        this.sender = sender;
        this.chunk = chunk;
        this.chunksInFlight = chunksInFlight;
        this.maxInflightCopies = maxInflightCopies;
        this.maxInflightBytes = maxInflightBytes;
    }

    private synchronized boolean tryReserve(int copies, long bytes) {
        if (inflightCopies + copies > maxInflightCopies || inflightBytes + bytes > maxInflightBytes) {
            return false;
        }
        inflightCopies += copies;
        inflightBytes += bytes;
        return true;
    }

    private synchronized void release(int copies, long bytes) {
        inflightCopies -= copies;
        inflightBytes -= bytes;
    }

    /** Copies reserved on this node right now, for metrics. */
    public int inflight() {
        return inflightCopies;
    }

    /** Bytes of encoded copies reserved on this node right now (for tests). */
    synchronized long inflightBytes() {
        return inflightBytes;
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
            if (recipients.isEmpty()) {
                return Mono.just(new Result(List.of(), List.of(), false));
            }
            int copies = recipients.size();
            // Held at once: every copy when all chunks go at once, else the chunks in flight. A
            // recipient id is at most a few hundred bytes, which the slack covers.
            long held = allAtOnce ? copies : Math.min(copies, (long) chunk * chunksInFlight);
            String first = recipients.get(0);
            byte[] firstCopy = codec.encode(message.to(first)); // measured here, sent as it is
            long bytes = held * (firstCopy.length + COPY_SLACK_BYTES);
            if (!tryReserve(copies, bytes)) {
                return Mono.just(new Result(List.of(), recipients, true));
            }
            // Runs to its end even if the caller cancels: the copies handed to the producer stay in
            // memory until Kafka answers, so the reservation must too.
            Sinks.One<Result> result = Sinks.one();
            write(message, recipients, allAtOnce, first, firstCopy)
                    .doFinally(signal -> release(copies, bytes))
                    .subscribe(result::tryEmitValue, result::tryEmitError);
            return result.asMono();
        });
    }

    private Mono<Result> write(
            InboundMessage message, List<String> recipients, boolean allAtOnce, String first, byte[] firstCopy) {
        List<List<String>> chunks = new ArrayList<>((recipients.size() + chunk - 1) / chunk);
        for (int from = 0; from < recipients.size(); from += chunk) {
            chunks.add(recipients.subList(from, Math.min(recipients.size(), from + chunk)));
        }
        int concurrency = allAtOnce ? Math.max(1, chunks.size()) : chunksInFlight;
        return Flux.fromIterable(chunks)
                .flatMap(
                        part -> Mono.defer(() -> sender.sendAll(records(message, part, first, firstCopy)))
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

    /** The copies of {@code message} for {@code recipients}; {@code first}'s is already encoded. */
    private List<ProducerRecord<String, byte[]>> records(
            InboundMessage message, List<String> recipients, String first, byte[] firstCopy) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(recipients.size());
        for (String recipient : recipients) {
            byte[] copy = recipient.equals(first) ? firstCopy : codec.encode(message.to(recipient));
            records.add(new ProducerRecord<>(Topics.INBOUND, recipient, copy));
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
