package io.switchboard.loadgen.scenario;

/** Who sends to whom in a messaging run. */
public enum Pattern {
    /** Each message from a random connection to a random recipient connected to another gateway node. */
    DIRECT,
    /** Every connection but the first sends to the first one's user (one busy inbox). */
    FAN_IN,
    /** The first connection sends to every other user in turn (one busy sender). */
    FAN_OUT
}
