package io.switchboard.presenceservice.nodes;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Clean-up of gateway nodes that are gone, {@code switchboard.node-topics.*}.
 *
 * @param retention how long a node must hold no presence lease before its Kafka topic and consumer
 *     groups are deleted; {@code 0s} never deletes. Default 1h: far longer than any restart, so only
 *     nodes replaced by a new id (recreated containers) are cleaned up
 *     ({@code SWITCHBOARD_NODE_TOPICS_RETENTION})
 * @param sweepInterval how often presence-service looks; default 1m
 */
@ConfigurationProperties("switchboard.node-topics")
public record NodeTopicProperties(Duration retention, Duration sweepInterval) {

    public NodeTopicProperties {
        retention = retention == null ? Duration.ofHours(1) : retention;
        sweepInterval = sweepInterval == null ? Duration.ofMinutes(1) : sweepInterval;
        if (retention.isNegative() || sweepInterval.isNegative() || sweepInterval.isZero()) {
            throw new IllegalArgumentException(
                    "switchboard.node-topics.retention must be >= 0 and switchboard.node-topics.sweep-interval > 0");
        }
    }
}
