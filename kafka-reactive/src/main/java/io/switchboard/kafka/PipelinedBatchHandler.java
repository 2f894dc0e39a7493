package io.switchboard.kafka;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import reactor.core.publisher.Mono;

/**
 * Processes one batch of records in two steps, so that a {@link KafkaReceiver} can overlap batches
 * (see {@link KafkaReceiver#start(PipelinedBatchHandler, int)}).
 *
 * <p>Guarantees the receiver gives:
 *
 * <ul>
 *   <li><b>The ordered step runs one batch at a time, in offset order.</b> The returned Mono is the
 *       ordered step. A batch's ordered step starts only after the previous batch's ordered step
 *       succeeded; a failed one is handed the same batch again (with backoff) before any later batch
 *       gets its turn.
 *   <li><b>The rest may overlap.</b> The Mono the ordered step emits is the rest of the batch's work.
 *       It runs while later batches' ordered steps do; if it fails, only it is subscribed again, so
 *       it must be lazy (do nothing until subscribed). An empty ordered step means nothing is left.
 *   <li><b>Commit in order.</b> A batch's offsets are committed only after both of its steps and
 *       both steps of every earlier batch completed.
 * </ul>
 *
 * <p>Called on the receiver's poll thread: return quickly and never block; do the work in the Monos.
 */
@FunctionalInterface
public interface PipelinedBatchHandler<K, V> {

    Mono<Mono<Void>> handle(List<ConsumerRecord<K, V>> records);
}
