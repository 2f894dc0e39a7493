package io.switchboard.suite.fault;

import java.time.Duration;

/** One separately running part of the suite (a process) that the fault-injection test kills and restarts. */
interface Part {

    String name();

    /** Starts the process (again: same ports, same data directory) without waiting for it. */
    void start();

    /** Waits until it serves; fails early if the process exits. */
    void awaitReady(Duration timeout);

    /** SIGKILL, by PID, and waits until the process is gone. */
    void kill();

    /** Orderly stop (SIGTERM, then SIGKILL after a timeout). */
    void stop();

    long pid();
}
