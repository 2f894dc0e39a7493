package io.switchboard.gateway.inbound;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.gateway.delivery.GatewayMeters;
import io.switchboard.gateway.groups.GroupStore;
import io.switchboard.gateway.session.LogKeys;
import io.switchboard.inbox.SendLedger;
import io.switchboard.kafka.KafkaSender;
import io.switchboard.protocol.Ids;
import io.switchboard.protocol.envelope.EnvelopeCodec;
import io.switchboard.protocol.envelope.InboundMessage;
import io.switchboard.protocol.envelope.Topics;
import io.switchboard.protocol.frame.ClientFrame;
import io.switchboard.protocol.frame.ErrorCode;
import io.switchboard.protocol.frame.ServerFrame;
import io.switchboard.protocol.id.MessageIds;
import java.util.function.Function;
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
 * <p>Idempotent by {@code cid}: the {@link SendLedger} maps each (sender, cid) to the message id
 * it was first accepted under, so a send repeated after a lost {@code ack} is produced again under
 * that same id (the inbox stores a message id once) and acknowledged with it. Reusing a cid for
 * another recipient is refused with {@code cid_conflict}.
 *
 * <p>Groups: a send to {@code group:<id>} from a member is written once per member (the sender
 * included, so all of the sender's devices see it), each copy under the same message id and carrying
 * the group; it is acknowledged once every copy is, else answered {@code unavailable} (a retry with
 * the same cid writes every copy again, and each is stored once). A non-member gets
 * {@code not_a_member}. Membership is read when the send is prepared, so the members are those of
 * that moment.
 *
 * <p>Order: the Kafka writes of one session's sends are subscribed in the order of the sends (see
 * {@link #accept}) and one producer keeps that order, so messages from one sender to one recipient
 * keep their order.
 */
public final class MessageAcceptor {

    private static final Logger log = LoggerFactory.getLogger(MessageAcceptor.class);

    private final KafkaSender<String, byte[]> sender;
    private final SendLedger ledger;
    private final Counter deduplicated;
    private final EnvelopeCodec codec = new EnvelopeCodec();
    private final Counter accepted;
    private final GroupStore groups;
    private final FanOut fanOut;

    public MessageAcceptor(
            KafkaSender<String, byte[]> sender,
            SendLedger ledger,
            GroupStore groups,
            FanOut fanOut,
            MeterRegistry meters) {
        this.sender = sender;
        this.ledger = ledger;
        this.groups = groups;
        this.fanOut = fanOut;
        this.deduplicated = meters.counter(GatewayMeters.SENDS_DEDUPLICATED.meterName());
        this.accepted = meters.counter(GatewayMeters.MESSAGES_ACCEPTED.meterName());
        MessageIds.init(); // seeds the id generator now, not on the first event-loop call
    }

    /**
     * Accepts {@code send} from {@code user} in two steps: the returned Mono claims the cid and emits
     * the second step, a Mono that writes the message to Kafka and emits the frame to answer with
     * ({@code ack} or {@code error}). Claims of concurrent sends may complete in any order (a Redis
     * script may be retried after {@code NOSCRIPT}), so a caller keeps a session's sends in order by
     * subscribing to the second steps in the order of the sends (e.g. {@code flatMapSequential} then
     * {@code flatMap}).
     */
    public Mono<Mono<ServerFrame>> accept(String user, ClientFrame.Send send) {
        String group = Ids.groupOf(send.to());
        if (group != null) {
            return acceptForGroup(user, send, group);
        }
        return claimed(
                        user,
                        send,
                        claim -> produce(new InboundMessage(
                                claim.messageId(),
                                send.cid(),
                                user,
                                send.to(),
                                System.currentTimeMillis(),
                                send.body())))
                .onErrorResume(e -> {
                    log.warn("send refused: the send ledger is unavailable: {}", e.toString());
                    return Mono.just(Mono.just(unavailable(send.cid())));
                });
    }

    private Mono<Mono<ServerFrame>> acceptForGroup(String user, ClientFrame.Send send, String group) {
        return groups.members(group)
                .flatMap(members -> {
                    if (members.isEmpty() || !members.get().contains(user)) {
                        return Mono.just(Mono.<ServerFrame>just(new ServerFrame.Error(
                                send.cid(), ErrorCode.NOT_A_MEMBER, "you are not a member of this group")));
                    }
                    return claimed(user, send, claim -> {
                        InboundMessage message = new InboundMessage(
                                claim.messageId(),
                                send.cid(),
                                user,
                                user,
                                System.currentTimeMillis(),
                                send.body(),
                                group);
                        return fanOut.send(message, members.get(), true).map(result -> {
                            if (result.overloaded()) {
                                return new ServerFrame.Error(
                                        send.cid(),
                                        ErrorCode.RATE_LIMITED,
                                        "too many group messages in flight; retry later with the same cid");
                            }
                            if (!result.complete()) {
                                return unavailable(send.cid());
                            }
                            accepted.increment();
                            return new ServerFrame.Ack(send.cid(), claim.messageId());
                        });
                    });
                })
                .onErrorResume(e -> {
                    log.warn("group send refused: Redis is unavailable: {}", e.toString());
                    return Mono.just(Mono.just(unavailable(send.cid())));
                });
    }

    /**
     * Claims the send's cid and, unless the cid was used for another address ({@code cid_conflict}),
     * hands the claim (new, or the earlier one for a repeat) to {@code write}, the second step.
     */
    private Mono<Mono<ServerFrame>> claimed(
            String user, ClientFrame.Send send, Function<SendLedger.Claim, Mono<ServerFrame>> write) {
        return ledger.claim(user, send.cid(), MessageIds.next(), send.to()).map(claim -> {
            if (!claim.to().equals(send.to())) {
                return Mono.just(conflict(send.cid()));
            }
            if (!claim.first()) {
                deduplicated.increment();
            }
            return write.apply(claim);
        });
    }

    private static ServerFrame conflict(String cid) {
        return new ServerFrame.Error(
                cid, ErrorCode.CID_CONFLICT, "this cid was already used for a message to another recipient");
    }

    private Mono<ServerFrame> produce(InboundMessage message) {
        ProducerRecord<String, byte[]> record =
                new ProducerRecord<>(Topics.INBOUND, message.to(), codec.encode(message));
        return sender.send(record)
                .<ServerFrame>map(metadata -> {
                    accepted.increment();
                    return new ServerFrame.Ack(message.cid(), message.id());
                })
                .onErrorResume(e -> {
                    log.atWarn()
                            .addKeyValue(LogKeys.MESSAGE_ID, message.id())
                            .log("message {} not accepted: {}", message.id(), e.toString());
                    return Mono.just(unavailable(message.cid()));
                });
    }

    private static ServerFrame unavailable(String cid) {
        return new ServerFrame.Error(
                cid, ErrorCode.UNAVAILABLE, "the message was not accepted; retry with the same cid");
    }
}
