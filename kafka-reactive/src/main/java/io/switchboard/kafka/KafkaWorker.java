package io.switchboard.kafka;

import java.util.Optional;

/**
 * A Kafka client whose work runs on a thread of its own: a {@link KafkaReceiver}'s poll thread, a
 * {@link KafkaSender}'s send thread. When that thread dies, nothing else in the process notices (the
 * service keeps answering HTTP), so the client tells here, for health checks and meters.
 *
 * <p>A failed thread is not restarted. What ends it is an error the client cannot retry (a Kafka error
 * that is not retriable, such as a refused authorization or a bad configuration, or an {@link Error}):
 * it would recur, and a thread restarting itself in a loop hides it. The process is restarted instead,
 * by whatever watches its health (a liveness probe).
 */
public interface KafkaWorker {

    enum State {
        /** Created; its thread has not started yet. */
        NEW,
        /** Its thread runs. */
        RUNNING,
        /** Stopped by {@code close()}, as at shutdown. */
        CLOSED,
        /** Its thread ended on an error and does no more work; final, also after {@code close()}. */
        FAILED
    }

    /** The name given when it was created (used in logs, thread names, meters and health). */
    String name();

    /** Where it is in its life; read from any thread. */
    State state();

    /** What ended its thread: present exactly when {@link #state()} is {@link State#FAILED}. */
    Optional<Throwable> failure();
}
