package io.switchboard.gateway.api;

import io.switchboard.auth.ApiKeys;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The HTTP API for backends on a gateway node, {@code switchboard.api.*}.
 *
 * @param keys API keys that may call {@code /api/v1/...} ({@code SWITCHBOARD_API_KEYS}, comma
 *     separated; each at least 16 characters). Empty: only service tokens (JWTs with
 *     {@code "role":"service"}) are accepted
 * @param maxRecipients recipients of one {@code POST /api/v1/messages}; default 10000
 * @param maxBodyBytes the largest message body (UTF-8 bytes of its JSON); default 65536, as for a
 *     WebSocket frame
 * @param chunk copies produced to Kafka together (one hand-over to the producer); default 500
 * @param chunksInFlight chunks of one call in flight at once; default 4
 * @param maxInflightCopies copies of all calls on this node waiting for Kafka at once; a call that
 *     would exceed it is refused with 503 {@code overloaded}; default 40000 (the producer's own
 *     hand-off queue holds 8192 chunks or records)
 * @param maxGroupMembers the largest group; default 1000
 * @param maxInflightBytes encoded copies of all calls on this node waiting for Kafka at once (every
 *     copy carries the whole body); beyond it as for {@code maxInflightCopies}; default 128 MiB,
 *     enough for one call of the largest shape (a full group, or the chunks in flight of one
 *     publish, with the largest body)
 */
@ConfigurationProperties("switchboard.api")
public record ApiProperties(
        List<String> keys,
        int maxRecipients,
        int maxBodyBytes,
        int chunk,
        int chunksInFlight,
        int maxInflightCopies,
        int maxGroupMembers,
        long maxInflightBytes) {

    public ApiProperties {
        keys = ApiKeys.of(keys);
        maxRecipients = maxRecipients <= 0 ? 10_000 : maxRecipients;
        maxBodyBytes = maxBodyBytes <= 0 ? 65_536 : maxBodyBytes;
        chunk = chunk <= 0 ? 500 : chunk;
        chunksInFlight = chunksInFlight <= 0 ? 4 : chunksInFlight;
        maxInflightCopies = maxInflightCopies <= 0 ? 40_000 : maxInflightCopies;
        maxGroupMembers = maxGroupMembers <= 0 ? 1000 : maxGroupMembers;
        maxInflightBytes = maxInflightBytes <= 0 ? 128L * 1024 * 1024 : maxInflightBytes;
        if (maxRecipients > maxInflightCopies || maxGroupMembers > maxInflightCopies) {
            throw new IllegalArgumentException(
                    "switchboard.api.max-inflight-copies must be at least max-recipients and max-group-members");
        }
        long largestCall = (long) Math.max(maxGroupMembers, Math.min(maxRecipients, chunk * chunksInFlight))
                * (maxBodyBytes + 1024L);
        if (maxInflightBytes < largestCall) {
            throw new IllegalArgumentException("switchboard.api.max-inflight-bytes must be at least " + largestCall
                    + " (the largest group, or the chunks in flight of one publish, with the largest body), so that"
                    + " such a call can run at all");
        }
    }

    /** Never the keys: records print every field, and configuration ends up in logs. */
    @Override
    public String toString() {
        return "ApiProperties[keys=" + keys.size() + " configured, maxRecipients=" + maxRecipients + ", maxBodyBytes="
                + maxBodyBytes + ", chunk=" + chunk + ", chunksInFlight=" + chunksInFlight + ", maxInflightCopies="
                + maxInflightCopies + ", maxGroupMembers=" + maxGroupMembers + ", maxInflightBytes=" + maxInflightBytes
                + "]";
    }
}
