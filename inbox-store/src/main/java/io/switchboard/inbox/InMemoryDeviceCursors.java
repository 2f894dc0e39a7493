package io.switchboard.inbox;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Mono;

/** {@link DeviceCursors} in this JVM's memory (no expiry), for unit tests and single-node development. */
public final class InMemoryDeviceCursors implements DeviceCursors {

    private final Map<String, Long> cursors = new ConcurrentHashMap<>();

    @Override
    public Mono<Long> get(String user, String device) {
        return Mono.fromSupplier(() -> cursors.getOrDefault(user + '\n' + device, 0L));
    }

    @Override
    public Mono<Void> confirm(String user, String device, long seq) {
        return Mono.fromRunnable(() -> cursors.merge(user + '\n' + device, seq, Math::max));
    }
}
