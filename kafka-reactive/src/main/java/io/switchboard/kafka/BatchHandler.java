package io.switchboard.kafka;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import reactor.core.publisher.Mono;

/**
 * Processes one batch of records for a {@link KafkaReceiver}. The batch's offsets are committed
 * only when the returned Mono completes; if it fails, the same batch is handed over again.
 *
 * <p>Called on the receiver's poll thread, and for each retry (after 0.1 s, doubling to 10 s) on
 * Reactor's parallel scheduler: return quickly and never block; do the work in the Mono. A batch
 * the receiver gives up on (a rebalance or close it outlasts) is cancelled, and its records are
 * read again.
 */
@FunctionalInterface
public interface BatchHandler<K, V> {

    Mono<Void> handle(List<ConsumerRecord<K, V>> records);
}
