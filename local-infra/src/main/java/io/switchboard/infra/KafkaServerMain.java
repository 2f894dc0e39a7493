package io.switchboard.infra;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one {@link KafkaServer} as its own process, for tests that must kill the broker with SIGKILL
 * and start it again on the same ports and data directory (the fault-injection test).
 *
 * <pre>java -cp … io.switchboard.infra.KafkaServerMain &lt;port&gt; &lt;controllerPort&gt; &lt;dataDir&gt;</pre>
 *
 * Prints {@code KAFKA READY <bootstrap>} once the broker answers, then runs until the process is
 * stopped; SIGTERM shuts the broker down in order, SIGKILL leaves its log to be recovered on the next
 * start.
 */
public final class KafkaServerMain {

    private KafkaServerMain() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3) {
            System.err.println("usage: KafkaServerMain <port> <controllerPort> <dataDir>");
            System.exit(2);
        }
        KafkaServer kafka = KafkaServer.start(KafkaServer.Options.defaults()
                .port(Integer.parseInt(args[0]))
                .controllerPort(Integer.parseInt(args[1]))
                .dataDir(Path.of(args[2])));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            kafka.close();
                            stopped.countDown();
                        },
                        "kafka-stop"));
        System.out.println("KAFKA READY " + kafka.bootstrapServers());
        System.out.flush();
        stopped.await();
    }
}
