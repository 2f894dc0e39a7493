package io.switchboard.protocol.envelope;

import io.switchboard.protocol.RawJson;

/**
 * A message a gateway has accepted and not yet sequenced: the value of a {@link Topics#INBOUND}
 * record, keyed by {@code to} so that every message to one recipient keeps its order.
 *
 * @param id the message id (UUIDv7) given by the accepting gateway
 * @param cid the sender's client message id
 * @param ts epoch milliseconds at which the gateway accepted it
 */
public record InboundMessage(String id, String cid, String from, String to, long ts, RawJson body) {}
