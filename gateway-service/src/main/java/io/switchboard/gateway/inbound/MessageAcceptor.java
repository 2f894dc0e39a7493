package io.switchboard.gateway.inbound;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.gateway.delivery.GatewayMeters;
import io.switchboard.kafka.KafkaSender;
import io.switchboard.protocol.envelope.EnvelopeCodec;
import io.switchboard.protocol.envelope.InboundMessage;
import io.switchboard.protocol.envelope.Topics;
import io.switchboard.protocol.frame.ClientFrame;
import io.switchboard.protocol.frame.ErrorCode;
import io.switchboard.protocol.frame.ServerFrame;
import io.switchboard.protocol.id.MessageIds;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Accepts a {@code send}: gives it a message id and timestamp, writes it to {@link Topics#INBOUND}
 * keyed by recipient, and answers {@code ack} only once Kafka acknowledged it with {@code acks=all}.
 * If Kafka does not, the answer is an {@code unavailable} error and nothing was accepted: the client
 * may retry with the same {@code cid}.
 *
 * <p>Order: sends of one session are handed to one producer in the order they are subscribed, so
 * messages from one sender to one recipient keep their order.
 */
public final class MessageAcceptor {

    private static final Logger log = LoggerFactory.getLogger(MessageAcceptor.class);

    private final KafkaSender<String, byte[]> sender;
    private final EnvelopeCodec codec = new EnvelopeCodec();
    private final Counter accepted;

    public MessageAcceptor(KafkaSender<String, byte[]> sender, MeterRegistry meters) {
        this.sender = sender;
        this.accepted = meters.counter(GatewayMeters.MESSAGES_ACCEPTED.meterName());
        MessageIds.init(); // seeds the id generator now, not on the first event-loop call
    }

    /** Accepts {@code send} from {@code user}; emits the frame to answer with ({@code ack} or {@code error}). */
    public Mono<ServerFrame> accept(String user, ClientFrame.Send send) {
        InboundMessage message = new InboundMessage(
                MessageIds.next(), send.cid(), user, send.to(), System.currentTimeMillis(), send.body());
        ProducerRecord<String, byte[]> record =
                new ProducerRecord<>(Topics.INBOUND, message.to(), codec.encode(message));
        return sender.send(record)
                .<ServerFrame>map(metadata -> {
                    accepted.increment();
                    return new ServerFrame.Ack(send.cid(), message.id());
                })
                .onErrorResume(e -> {
                    log.warn("message {} not accepted: {}", message.id(), e.toString());
                    return Mono.just(new ServerFrame.Error(
                            send.cid(),
                            ErrorCode.UNAVAILABLE,
                            "the message was not accepted; retry with the same cid"));
                });
    }
}
