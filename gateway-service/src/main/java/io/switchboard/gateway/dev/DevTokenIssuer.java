package io.switchboard.gateway.dev;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.switchboard.protocol.Ids;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * Mints short-lived user tokens for any user name, signed with the gateway's own secret, so that a
 * developer can sign in to the console as anyone. Exists only in local mode. Thread-safe; signing is
 * pure CPU work.
 */
final class DevTokenIssuer {

    /** Long enough for a working session; short so a leaked development token soon stops working. */
    static final Duration TTL = Duration.ofHours(1);

    private final MACSigner signer;
    private final Clock clock;

    DevTokenIssuer(String secret, Clock clock) {
        try {
            this.signer = new MACSigner(secret.getBytes(StandardCharsets.UTF_8));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("the JWT secret cannot sign HS256 tokens", e);
        }
        this.clock = clock;
    }

    /** A token for {@code user}, valid for {@link #TTL}. */
    IssuedToken issue(String user) {
        if (!Ids.isValidUserId(user)) {
            throw new IllegalArgumentException("not a valid user id");
        }
        Instant now = clock.instant();
        Instant expires = now.plus(TTL);
        SignedJWT jwt = new SignedJWT(
                new JWSHeader(JWSAlgorithm.HS256),
                new JWTClaimsSet.Builder()
                        .subject(user)
                        .issueTime(Date.from(now))
                        .expirationTime(Date.from(expires))
                        .build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing a development token failed", e);
        }
        return new IssuedToken(jwt.serialize(), user, expires.toEpochMilli());
    }

    /** A minted token, its user and expiry (epoch ms). */
    record IssuedToken(String token, String user, long expiresAt) {
        @Override
        public String toString() {
            return "IssuedToken[user=" + user + ", expiresAt=" + expiresAt + "]"; // never the token
        }
    }
}
