package io.switchboard.gateway.session;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How a gateway node drains when it is told to stop (SIGTERM), {@code switchboard.drain.*}.
 *
 * @param spread the node's sessions are closed with 1012 one after another over this window, so
 *     their clients reconnect to the other nodes in a stream rather than in one wave; default 5s
 *     ({@code SWITCHBOARD_DRAIN_SPREAD})
 * @param timeout the whole drain ends by then: sessions still open are closed at once and the node
 *     stops; default 20s, below the 30s that container platforms usually wait before SIGKILL
 *     ({@code SWITCHBOARD_DRAIN_TIMEOUT})
 * @param sendGrace how long a session's sends already in flight may take to be answered before the
 *     session is closed anyway (the client sends them again, same {@code cid}); default 2s
 */
@ConfigurationProperties("switchboard.drain")
public record DrainProperties(Duration spread, Duration timeout, Duration sendGrace) {

    public DrainProperties {
        spread = spread == null ? Duration.ofSeconds(5) : spread;
        timeout = timeout == null ? Duration.ofSeconds(20) : timeout;
        sendGrace = sendGrace == null ? Duration.ofSeconds(2) : sendGrace;
        if (spread.isNegative() || sendGrace.isNegative()) {
            throw new IllegalArgumentException("switchboard.drain.spread and send-grace must not be negative");
        }
        if (timeout.compareTo(spread) <= 0) {
            throw new IllegalArgumentException(
                    "switchboard.drain.timeout must be longer than switchboard.drain.spread");
        }
    }
}
