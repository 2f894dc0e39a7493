package io.switchboard.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.switchboard.test.TestTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.Test;

class TokenVerifierTest {

    private final TokenVerifier verifier = new TokenVerifier(TestTokens.SECRET, Duration.ZERO);

    @Test
    void aValidTokenAuthenticatesItsSubject() throws Exception {
        assertThat(verifier.verify(TestTokens.mint(TestTokens.SECRET, "alice", Duration.ofMinutes(5))))
                .isEqualTo("alice");
    }

    @Test
    void onlyATokenWithTheServiceRoleIsAServicesToken() throws Exception {
        assertThat(verifier.verifyToken(TestTokens.service(TestTokens.SECRET, "billing", Duration.ofMinutes(5))))
                .isEqualTo(new TokenVerifier.Verified("billing", true));
        assertThat(verifier.verifyToken(TestTokens.mint(TestTokens.SECRET, "alice", Duration.ofMinutes(5))))
                .isEqualTo(new TokenVerifier.Verified("alice", false));
    }

    @Test
    void refusesSubjectsThatNameAGroup() {
        assertThatThrownBy(
                        () -> verifier.verify(TestTokens.mint(TestTokens.SECRET, "group:team", Duration.ofMinutes(5))))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void refusesExpiredTokens() {
        assertThatThrownBy(() -> verifier.verify(TestTokens.expired(TestTokens.SECRET, "alice")))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void refusesUnsignedTokens() {
        assertThatThrownBy(() -> verifier.verify(TestTokens.withAlgNone("alice")))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void refusesTokensSignedWithAnotherSecret() {
        assertThatThrownBy(
                        () -> verifier.verify(TestTokens.signedWith("another-secret-that-is-long-enough-32b", "alice")))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void refusesOtherAlgorithmsEvenWithTheRightSecret() throws Exception {
        String hs512 = sign(
                JWSAlgorithm.HS512,
                new JWTClaimsSet.Builder()
                        .subject("alice")
                        .expirationTime(Date.from(Instant.now().plusSeconds(60))));

        assertThatThrownBy(() -> verifier.verify(hs512)).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void requiresExpAndAValidSubject() throws Exception {
        String noExp = sign(JWSAlgorithm.HS256, new JWTClaimsSet.Builder().subject("alice"));
        String badSub = sign(
                JWSAlgorithm.HS256,
                new JWTClaimsSet.Builder()
                        .subject("alice smith")
                        .expirationTime(Date.from(Instant.now().plusSeconds(60))));

        assertThatThrownBy(() -> verifier.verify(noExp)).isInstanceOf(InvalidTokenException.class);
        assertThatThrownBy(() -> verifier.verify(badSub)).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void refusesGarbage() {
        assertThatThrownBy(() -> verifier.verify("not.a.jwt")).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void refusesShortSecrets() {
        assertThatThrownBy(() -> new TokenVerifier("too-short", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static String sign(JWSAlgorithm alg, JWTClaimsSet.Builder claims) throws Exception {
        String secret = TestTokens.SECRET + TestTokens.SECRET; // HS512 needs 64 bytes
        SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims.build());
        jwt.sign(new MACSigner(alg == JWSAlgorithm.HS256 ? TestTokens.SECRET : secret));
        return jwt.serialize();
    }
}
