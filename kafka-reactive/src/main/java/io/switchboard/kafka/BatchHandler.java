package io.switchboard.kafka;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import reactor.core.publisher.Mono;

/**
 * Processes one batch of records for a {@link KafkaReceiver}. The batch's offsets are committed
 * only when the returned Mono completes; if it fails, the same batch is handed over again.
 *
 * <p>Called on the receiver's poll thread: return quickly and never block; do the work in the Mono.
 */
@FunctionalInterface
public interface BatchHandler<K, V> {

    Mono<Void> handle(List<ConsumerRecord<K, V>> records);
}
