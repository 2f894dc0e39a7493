package io.switchboard.kafka;

/** A {@link KafkaSender}'s hand-off queue is full: the caller should shed load, not wait. */
public final class KafkaSenderOverloadedException extends RuntimeException {

    public KafkaSenderOverloadedException(String sender, int capacity) {
        super("Kafka sender '" + sender + "' has " + capacity + " sends queued", null, false, false);
    }
}
