package io.switchboard.protocol.envelope;

import io.switchboard.protocol.RawJson;

/**
 * A message a gateway has accepted and not yet sequenced: the value of a {@link Topics#INBOUND}
 * record, keyed by {@code to} so that every message to one recipient keeps its order.
 *
 * @param id the message id (UUIDv7) given by the accepting gateway
 * @param cid the sender's client message id
 * @param ts epoch milliseconds at which the gateway accepted it
 * @param group the group id when this is one member's copy of a group message, else {@code null}
 *     ({@code to} is always the member whose inbox it goes to)
 */
public record InboundMessage(String id, String cid, String from, String to, long ts, RawJson body, String group) {

    /** A direct message (no group). */
    public InboundMessage(String id, String cid, String from, String to, long ts, RawJson body) {
        this(id, cid, from, to, ts, body, null);
    }

    /** This message's copy for another recipient: same id, sender, time and body. */
    public InboundMessage to(String recipient) {
        return new InboundMessage(id, cid, from, recipient, ts, body, group);
    }
}
