package io.switchboard.inbox;

import reactor.core.publisher.Mono;

/**
 * Each device's delivery cursor: the highest seq up to which the device confirmed it has every
 * message of its user ({@code recv}). Replay on connect starts after it.
 *
 * <p>Guarantees, for every implementation:
 *
 * <ul>
 *   <li>A cursor only moves forward: confirming a seq at or below the current one changes nothing,
 *       so confirmations that arrive late or twice are harmless.
 *   <li>A device never seen, or not seen within the inbox retention, has cursor 0.
 *   <li>Cursors of different devices of one user are independent.
 * </ul>
 */
public interface DeviceCursors {

    /** The device's cursor; 0 when it has confirmed nothing (within the retention). */
    Mono<Long> get(String user, String device);

    /** Raises the device's cursor to {@code seq} if that is higher. */
    Mono<Void> confirm(String user, String device, long seq);
}
