package io.switchboard.protocol.envelope;

/** A Kafka record whose value is not the envelope its topic promises. */
public final class MalformedEnvelopeException extends RuntimeException {

    public MalformedEnvelopeException(String message) {
        super(message);
    }
}
