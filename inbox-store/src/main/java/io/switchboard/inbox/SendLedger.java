package io.switchboard.inbox;

import reactor.core.publisher.Mono;

/**
 * Remembers which message id each client message id ({@code cid}) of a user became, so that a
 * {@code send} repeated after a lost {@code ack} is accepted as the same message, not a new one.
 *
 * <p>Guarantees, for every implementation:
 *
 * <ul>
 *   <li>The first {@link #claim} of a (user, cid) records the given message id and recipient; every
 *       later claim of that pair within the window returns that record, whatever it passes.
 *   <li>Claims of one pair are atomic: of two concurrent first claims, exactly one wins.
 *   <li>A record is kept for at least the window after its first claim.
 * </ul>
 */
public interface SendLedger {

    /**
     * Claims {@code cid} of {@code user} for a new message {@code messageId} to {@code to}, or returns
     * what the cid was claimed for before.
     */
    Mono<Claim> claim(String user, String cid, String messageId, String to);

    /**
     * @param messageId the message id the cid stands for
     * @param to the recipient it was sent to
     * @param first true when this call recorded it; false when it was already recorded
     */
    record Claim(String messageId, String to, boolean first) {}
}
