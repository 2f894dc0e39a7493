package io.switchboard.inbox;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Mono;

/** {@link SendLedger} in this JVM's memory (no expiry), for unit tests and single-node development. */
public final class InMemorySendLedger implements SendLedger {

    private final Map<String, Claim> claims = new ConcurrentHashMap<>();

    @Override
    public Mono<Claim> claim(String user, String cid, String messageId, String to) {
        return Mono.fromSupplier(() -> {
            Claim fresh = new Claim(messageId, to, true);
            Claim earlier = claims.putIfAbsent(user + '\n' + cid, fresh);
            return earlier == null ? fresh : new Claim(earlier.messageId(), earlier.to(), false);
        });
    }
}
