package io.switchboard.offline.sequencing;

import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import reactor.core.publisher.Mono;

/**
 * Where the sequencing pipeline hands stored messages on to be routed: by default the
 * {@code switchboard.sequenced} topic, which routing-service reads; when routing runs in the same
 * JVM (the local suite), routing itself.
 *
 * <p>Guarantee: the returned Mono completes only once every record is durably handed on (written to
 * Kafka, or routed and written to the gateway nodes' topics), so the inbound batch may be committed;
 * it fails otherwise, and the batch is processed again (the store gives a message the seq it already
 * had, gateways drop copies they pushed). Records are handed on in list order.
 */
@FunctionalInterface
public interface SequencedOutput {

    Mono<Void> send(List<ProducerRecord<String, byte[]>> records);
}
