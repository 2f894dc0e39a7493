package io.switchboard.protocol.id;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * Message ids: UUIDv7 (RFC 9562), so ids sort by the time the gateway accepted the message and carry
 * no coordination between nodes. The generator is monotonic within a JVM, even for ids made in the
 * same millisecond.
 *
 * <p>Uniqueness across nodes rests on the 74 random bits, so they come from a cryptographic
 * generator; it is seeded from the operating system once, when this class loads, and never reads
 * the system's entropy again, so {@link #next()} does no I/O and is safe on an event loop.
 */
public final class MessageIds {

    private static final TimeBasedEpochGenerator GENERATOR = Generators.timeBasedEpochGenerator(seededRandom());

    private MessageIds() {}

    private static SecureRandom seededRandom() {
        try {
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(new SecureRandom().generateSeed(32));
            return random;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA1PRNG in this JVM", e);
        }
    }

    /** Loads the class and seeds its generator; call it at start-up, off any event loop. */
    public static void init() {
        next();
    }

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
