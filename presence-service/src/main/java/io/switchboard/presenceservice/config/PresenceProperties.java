package io.switchboard.presenceservice.config;

import io.switchboard.auth.ApiKeys;
import io.switchboard.auth.JwtSettings;
import io.switchboard.kafka.KafkaSettings;
import io.switchboard.redis.RedisSettings;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * presence-service configuration, {@code switchboard.*}.
 *
 * @param presence sweeps, grace and queries
 * @param kafka the Kafka cluster the change events go to; see {@link KafkaSettings}
 * @param redis the Redis that holds presence; see {@link RedisSettings}
 * @param jwt the secret service tokens for the HTTP API are checked with, as on the gateways
 * @param api who else may call the HTTP API
 * @param localMode development mode on one machine: allows the built-in development JWT secret.
 *     Never set it in production ({@code switchboard.local-mode}, default false)
 */
@ConfigurationProperties("switchboard")
public record PresenceProperties(
        Presence presence, KafkaSettings kafka, RedisSettings redis, JwtSettings jwt, Api api, boolean localMode) {

    public PresenceProperties {
        presence = presence == null ? new Presence(null, null, 0, 0) : presence;
        kafka = kafka == null ? KafkaSettings.of(null) : kafka;
        redis = redis == null ? new RedisSettings(null) : redis;
        jwt = jwt == null ? JwtSettings.unset() : jwt;
        api = api == null ? new Api(null) : api;
    }

    /**
     * @param keys API keys that may call {@code /api/v1/presence/...} ({@code SWITCHBOARD_API_KEYS},
     *     comma separated; each at least 16 characters), as on the gateways
     */
    public record Api(List<String> keys) {
        public Api {
            keys = ApiKeys.of(keys);
        }

        /** Never the keys. */
        @Override
        public String toString() {
            return "Api[keys=" + keys.size() + " configured]";
        }
    }

    /**
     * @param grace how long after a user's last session left the offline is announced (event,
     *     subscriptions), if no session came back meanwhile: a reconnect within it is invisible to
     *     watchers. Queries show the truth at once. Default 3s ({@code SWITCHBOARD_PRESENCE_GRACE})
     * @param sweepInterval how often the sweep looks for expired sessions, lapsed node leases and
     *     offlines due; it adds at most this to every detection time. Default 250ms
     * @param sweepBatch entries one sweep step handles (one atomic Redis call); more are taken in
     *     further steps at once. Default 200 (a step of 200 removals keeps Redis busy about 10 ms)
     * @param maxQueryUsers users one {@code POST /api/v1/presence/query} may ask about; default 1000
     */
    public record Presence(Duration grace, Duration sweepInterval, int sweepBatch, int maxQueryUsers) {
        public Presence {
            grace = grace == null ? Duration.ofSeconds(3) : grace;
            sweepInterval = sweepInterval == null ? Duration.ofMillis(250) : sweepInterval;
            sweepBatch = sweepBatch <= 0 ? 200 : sweepBatch;
            maxQueryUsers = maxQueryUsers <= 0 ? 1000 : maxQueryUsers;
            if (grace.isNegative() || sweepInterval.isNegative() || sweepInterval.isZero()) {
                throw new IllegalArgumentException(
                        "switchboard.presence.grace must be >= 0 and switchboard.presence.sweep-interval > 0");
            }
        }
    }
}
