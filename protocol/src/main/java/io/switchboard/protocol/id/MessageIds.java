package io.switchboard.protocol.id;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import java.util.UUID;

/**
 * Message ids: UUIDv7 (RFC 9562), so ids sort by the time the gateway accepted the message and carry
 * no coordination between nodes. The generator is monotonic within a JVM, even for ids made in the
 * same millisecond.
 */
public final class MessageIds {

    private static final TimeBasedEpochGenerator GENERATOR = Generators.timeBasedEpochGenerator();

    private MessageIds() {}

    /** A new, unique, time-ordered id in its canonical 36-char text form. */
    public static String next() {
        return GENERATOR.generate().toString();
    }

    /** The epoch millisecond encoded in a UUIDv7 id. */
    public static long timestampOf(String id) {
        UUID uuid = UUID.fromString(id);
        if (uuid.version() != 7) {
            throw new IllegalArgumentException("not a UUIDv7 message id");
        }
        return uuid.getMostSignificantBits() >>> 16;
    }
}
