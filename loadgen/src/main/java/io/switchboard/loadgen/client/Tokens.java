package io.switchboard.loadgen.client;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeyLengthException;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/** Signs HS256 user tokens with the gateways' shared secret, as a token issuer would. Thread-safe. */
public final class Tokens {

    /** The secret the local suite uses when SWITCHBOARD_JWT_SECRET is not set (see LocalSuite). */
    public static final String LOCAL_DEVELOPMENT_SECRET =
            "switchboard-local-development-secret-do-not-use-in-production";

    private final MACSigner signer;
    private final Duration ttl;

    /**
     * @param secret the HS256 secret, at least 32 bytes
     * @param ttl how long each token stays valid; longer than the run
     */
    public Tokens(String secret, Duration ttl) {
        try {
            this.signer = new MACSigner(secret.getBytes(StandardCharsets.UTF_8));
        } catch (KeyLengthException e) {
            throw new IllegalArgumentException("the JWT secret must be at least 32 bytes", e);
        }
        this.ttl = ttl;
    }

    /** A token whose subject is {@code user}. */
    public String mint(String user) {
        SignedJWT jwt = new SignedJWT(
                new JWSHeader(JWSAlgorithm.HS256),
                new JWTClaimsSet.Builder()
                        .subject(user)
                        .issueTime(new Date())
                        .expirationTime(Date.from(Instant.now().plus(ttl)))
                        .build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
        return jwt.serialize();
    }
}
