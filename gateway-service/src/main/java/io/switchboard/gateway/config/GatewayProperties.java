package io.switchboard.gateway.config;

import io.switchboard.auth.JwtSettings;
import io.switchboard.kafka.KafkaSettings;
import io.switchboard.redis.RedisSettings;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * gateway-service configuration, {@code switchboard.*}; every key can also be given as an
 * environment variable ({@code SWITCHBOARD_JWT_SECRET}, {@code SWITCHBOARD_HEARTBEAT_TIMEOUT}, …).
 *
 * @param localMode development mode on one machine: allows the built-in development JWT secret.
 *     Never set it in production ({@code switchboard.local-mode}, default false)
 */
@ConfigurationProperties("switchboard")
public record GatewayProperties(
        JwtSettings jwt,
        Heartbeat heartbeat,
        Gateway gateway,
        Delivery delivery,
        KafkaSettings kafka,
        RedisSettings redis,
        boolean localMode) {

    public GatewayProperties {
        jwt = jwt == null ? JwtSettings.unset() : jwt;
        heartbeat = heartbeat == null ? new Heartbeat(null, null) : heartbeat;
        gateway = gateway == null ? new Gateway(null, 0, 0, 0, null, null, 0) : gateway;
        delivery = delivery == null ? new Delivery(null, null, 0, null) : delivery;
        kafka = kafka == null ? KafkaSettings.of(null) : kafka;
        redis = redis == null ? new RedisSettings(null) : redis;
    }

    /**
     * @param interval how often the gateway sends a WebSocket ping to each session; default 10s
     * @param timeout a session silent this long (no frame, no pong) is closed as dead; default 30s
     */
    public record Heartbeat(Duration interval, Duration timeout) {
        public Heartbeat {
            interval = interval == null ? Duration.ofSeconds(10) : interval;
            timeout = timeout == null ? Duration.ofSeconds(30) : timeout;
            if (timeout.compareTo(interval) <= 0) {
                throw new IllegalArgumentException("switchboard.heartbeat.timeout must be longer than the interval");
            }
        }
    }

    /**
     * @param nodeId this node's unique id, part of its Kafka topic name; default: host name and
     *     server port
     * @param maxFrameBytes the largest text frame accepted; larger ones get a {@code frame_too_large}
     *     error and the session stays open, up to twice this (at least 128 KiB), beyond which the
     *     session is closed with 1009 before the frame is buffered; default 65536
     * @param outboundQueue frames queued for one session before it counts as a slow consumer and is
     *     closed with 4008; default 1024
     * @param maxInflightSends {@code send}s of one session waiting for Kafka at once; further frames
     *     wait (TCP backpressure); default 256
     * @param allowedOrigins browser {@code Origin}s allowed to connect; empty allows all (local
     *     development). Clients that send no Origin (apps) are always allowed
     * @param presenceTimeout how long registering a session in presence may take before the
     *     connection is refused; default 5s
     * @param maxSessionsPerUser sessions one user may have open on one node; a further upgrade is
     *     refused with 429 {@code too_many_sessions}; default 64
     */
    public record Gateway(
            String nodeId,
            int maxFrameBytes,
            int outboundQueue,
            int maxInflightSends,
            List<String> allowedOrigins,
            Duration presenceTimeout,
            int maxSessionsPerUser) {
        public Gateway {
            maxFrameBytes = maxFrameBytes <= 0 ? 65_536 : maxFrameBytes;
            outboundQueue = outboundQueue <= 0 ? 1024 : outboundQueue;
            maxInflightSends = maxInflightSends <= 0 ? 256 : maxInflightSends;
            if (maxInflightSends > outboundQueue / 2) {
                // Half the queue is for messages (replay pages, live bursts); replies to in-flight
                // sends must fit in the rest, or a fast sender would be closed as a slow consumer.
                throw new IllegalArgumentException("switchboard.gateway.max-inflight-sends (" + maxInflightSends
                        + ") must be at most half of switchboard.gateway.outbound-queue (" + outboundQueue + ")");
            }
            allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
            presenceTimeout = presenceTimeout == null ? Duration.ofSeconds(5) : presenceTimeout;
            maxSessionsPerUser = maxSessionsPerUser <= 0 ? 64 : maxSessionsPerUser;
        }
    }

    /**
     * @param sendDedupWindow how long a {@code cid} is remembered at least (at most twice as long), so
     *     that a repeated {@code send} is stored and delivered once; default 2d (the inbox retention:
     *     a retry can never come later than the message could still be delivered)
     * @param cursorTtl how long a user's device cursors are kept after their last {@code recv};
     *     default 30d (well beyond the retention, so a device back after a long absence is told of a
     *     gap only for messages it really never got)
     * @param replayPage messages per inbox read during replay and {@code sync}; default 256 (at most
     *     a quarter of the outbound queue)
     * @param slowConsumerTimeout a session whose outbound queue is too full to take another page and
     *     that takes nothing from it for this long is closed with 4008 (slow consumer); default 10s
     */
    public record Delivery(Duration sendDedupWindow, Duration cursorTtl, int replayPage, Duration slowConsumerTimeout) {
        public Delivery {
            slowConsumerTimeout = slowConsumerTimeout == null ? Duration.ofSeconds(10) : slowConsumerTimeout;
            sendDedupWindow = sendDedupWindow == null ? Duration.ofDays(2) : sendDedupWindow;
            cursorTtl = cursorTtl == null ? Duration.ofDays(30) : cursorTtl;
            replayPage = replayPage <= 0 ? 256 : replayPage;
        }
    }
}
