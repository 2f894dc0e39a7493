package io.switchboard.test;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/** User tokens for tests: valid ones, and each kind the gateway must refuse. */
public final class TestTokens {

    /** The HS256 secret test suites configure (at least 32 bytes). */
    public static final String SECRET = "switchboard-test-secret-0123456789abcdef";

    private TestTokens() {}

    /** A valid HS256 token for {@code subject}, expiring after {@code ttl}. */
    public static String mint(String secret, String subject, Duration ttl) {
        return sign(
                secret,
                new JWTClaimsSet.Builder()
                        .subject(subject)
                        .issueTime(new Date())
                        .expirationTime(Date.from(Instant.now().plus(ttl)))
                        .build());
    }

    /** A valid HS256 token of a backend: {@code "role":"service"}, for the gateway's HTTP API. */
    public static String service(String secret, String subject, Duration ttl) {
        return sign(
                secret,
                new JWTClaimsSet.Builder()
                        .subject(subject)
                        .claim("role", "service")
                        .expirationTime(Date.from(Instant.now().plus(ttl)))
                        .build());
    }

    /** A correctly signed token that expired a minute ago. */
    public static String expired(String secret, String subject) {
        return sign(
                secret,
                new JWTClaimsSet.Builder()
                        .subject(subject)
                        .expirationTime(Date.from(Instant.now().minusSeconds(60)))
                        .build());
    }

    /** An unsigned token ({@code alg: none}). */
    public static String withAlgNone(String subject) {
        return new PlainJWT(new JWTClaimsSet.Builder()
                        .subject(subject)
                        .expirationTime(Date.from(Instant.now().plusSeconds(600)))
                        .build())
                .serialize();
    }

    /** A token signed with a secret the server does not know. */
    public static String signedWith(String otherSecret, String subject) {
        return mint(otherSecret, subject, Duration.ofMinutes(10));
    }

    private static String sign(String secret, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalArgumentException("cannot sign a test token", e);
        }
    }
}
