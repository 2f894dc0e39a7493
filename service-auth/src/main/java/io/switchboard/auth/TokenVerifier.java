package io.switchboard.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.proc.SingleKeyJWSKeySelector;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.switchboard.protocol.Ids;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies user tokens: JWTs signed with HS256 and the shared secret, with {@code sub} (the user id)
 * and {@code exp} required. Any other algorithm, {@code alg: none} included, is refused, as is an
 * expired token. Thread-safe; verification is pure CPU work of a few microseconds.
 */
public final class TokenVerifier {

    /** The smallest secret HS256 is safe with (RFC 7518 §3.2). */
    public static final int MIN_SECRET_BYTES = 32;

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    public TokenVerifier(String secret, Duration clockSkew) {
        byte[] key = secret.getBytes(StandardCharsets.UTF_8);
        if (key.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the JWT secret must be at least " + MIN_SECRET_BYTES + " bytes");
        }
        processor.setJWSKeySelector(
                new SingleKeyJWSKeySelector<>(JWSAlgorithm.HS256, new SecretKeySpec(key, "HmacSHA256")));
        DefaultJWTClaimsVerifier<SecurityContext> claims =
                new DefaultJWTClaimsVerifier<>(null, new JWTClaimsSet.Builder().build(), Set.of("sub", "exp"));
        claims.setMaxClockSkew((int) clockSkew.toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    /** The claim naming a token's role; {@value #SERVICE_ROLE} marks a backend, not a user. */
    public static final String ROLE_CLAIM = "role";

    /** The role of tokens that may call the HTTP API for backends ({@code /api/v1/...}). */
    public static final String SERVICE_ROLE = "service";

    /** Returns the user id the token authenticates. */
    public String verify(String token) throws InvalidTokenException {
        return verifyToken(token).subject();
    }

    /** Verifies the token and returns whom it authenticates and whether it is a service's token. */
    public Verified verifyToken(String token) throws InvalidTokenException {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            throw new InvalidTokenException("malformed token");
        } catch (BadJOSEException e) {
            throw new InvalidTokenException(e.getMessage());
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new InvalidTokenException("token cannot be verified");
        }
        String subject = claims.getSubject();
        if (!Ids.isValidUserId(subject)) {
            throw new InvalidTokenException("token subject is not a valid user id");
        }
        return new Verified(subject, SERVICE_ROLE.equals(claims.getClaim(ROLE_CLAIM)));
    }

    /**
     * @param subject the token's {@code sub}: a user id, or a service's name
     * @param service whether the token carries {@code "role":"service"}
     */
    public record Verified(String subject, boolean service) {}
}
