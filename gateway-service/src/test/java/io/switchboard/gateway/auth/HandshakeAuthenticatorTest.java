package io.switchboard.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.switchboard.auth.TokenVerifier;
import io.switchboard.test.TestTokens;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HandshakeAuthenticatorTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final Map<String, Integer> open = new HashMap<>();
    private final HandshakeAuthenticator authenticator = new HandshakeAuthenticator(
            new TokenVerifier(TestTokens.SECRET, Duration.ZERO),
            List.of("https://console.example"),
            meters,
            draining::get,
            user -> open.getOrDefault(user, 0),
            3);
    private final String alice = TestTokens.mint(TestTokens.SECRET, "alice", Duration.ofMinutes(5));

    private HandshakeAuthenticator.Result upgrade(String uri) {
        return authenticator.authenticate(uri, new DefaultHttpHeaders());
    }

    private static void assertRefused(HandshakeAuthenticator.Result result, int status, String code) {
        assertThat(result.principal()).isNull();
        assertThat(result.rejection().status().code()).isEqualTo(status);
        assertThat(result.rejection().code()).isEqualTo(code);
        assertThat(new String(result.rejection().body()))
                .startsWith("{\"code\":\"" + code + "\",\"message\":\"")
                .endsWith("\"}");
    }

    @Test
    void aValidTokenOpensASessionForItsUserOnTheNamedDeviceAndResumePoint() {
        assertThat(upgrade("/ws?access_token=" + alice + "&device=phone&after=42")
                        .principal())
                .isEqualTo(new GatewayPrincipal("alice", "phone", 42));
        HttpHeaders bearer = new DefaultHttpHeaders().add("Authorization", "bearer " + alice);
        assertThat(authenticator.authenticate("/ws", bearer).principal())
                .isEqualTo(new GatewayPrincipal("alice", "default", GatewayPrincipal.NO_RESUME_POINT));
    }

    @Test
    void anEmptyOrValuelessDeviceIsTheDefaultDevice() {
        assertThat(upgrade("/ws?device=&access_token=" + alice).principal().device())
                .isEqualTo("default");
        assertThat(upgrade("/ws?device&access_token=" + alice).principal().device())
                .isEqualTo("default");
    }

    @Test
    void theFirstOfRepeatedParametersCounts() {
        assertThat(upgrade("/ws?device=a&device=b&access_token=" + alice)
                        .principal()
                        .device())
                .isEqualTo("a");
    }

    @Test
    void queryValuesAreUrlDecoded() {
        assertThat(upgrade("/ws?device=desk%40home&access_token=" + alice)
                        .principal()
                        .device())
                .isEqualTo("desk@home");
        assertRefused(upgrade("/ws?device=a+b&access_token=" + alice), 400, "bad_device");
    }

    @Test
    void refusalsCarryTheDocumentedStatusAndCode() {
        assertRefused(upgrade("/ws"), 401, "unauthorized");
        assertRefused(upgrade("/ws?access_token=%20"), 401, "unauthorized");
        assertRefused(upgrade("/ws?access_token=garbage"), 401, "invalid_token");
        assertRefused(
                upgrade("/ws?access_token=" + TestTokens.service(TestTokens.SECRET, "billing", Duration.ofMinutes(5))),
                403,
                "user_token_required");
        assertRefused(upgrade("/ws?device=a%20b&access_token=" + alice), 400, "bad_device");
        assertRefused(upgrade("/ws?after=-1&access_token=" + alice), 400, "bad_after");
        assertRefused(upgrade("/ws?after=1e3&access_token=" + alice), 400, "bad_after");
        HttpHeaders foreign = new DefaultHttpHeaders().add("Origin", "https://evil.example");
        assertRefused(authenticator.authenticate("/ws?access_token=" + alice, foreign), 403, "origin_not_allowed");
        HttpHeaders allowed = new DefaultHttpHeaders().add("Origin", "https://console.example");
        assertThat(authenticator
                        .authenticate("/ws?access_token=" + alice, allowed)
                        .principal())
                .isNotNull();
    }

    @Test
    void malformedEscapesAreRefusedAsTheParameterTheyBreak() {
        assertRefused(upgrade("/ws?device=%zz&access_token=" + alice), 400, "bad_device");
        assertRefused(upgrade("/ws?after=%&access_token=" + alice), 400, "bad_after");
        assertRefused(upgrade("/ws?access_token=%g1"), 401, "invalid_token");
    }

    @Test
    void aDrainingNodeRefusesEveryUpgradeFirstAndCountsIt() {
        draining.set(true);

        assertRefused(upgrade("/ws?device=%zz"), 503, "draining");
        assertThat(meters.get("switchboard.handshakes.rejected")
                        .tag("reason", "draining")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void onlyTheExactPathIsTheHandshake() {
        assertThat(HandshakeAuthenticator.isHandshakePath("/ws")).isTrue();
        assertThat(HandshakeAuthenticator.isHandshakePath("/ws?access_token=x")).isTrue();
        assertThat(HandshakeAuthenticator.isHandshakePath("/ws#x")).isTrue();
        assertThat(HandshakeAuthenticator.isHandshakePath("/ws/")).isFalse();
        assertThat(HandshakeAuthenticator.isHandshakePath("/wsx")).isFalse();
        assertThat(HandshakeAuthenticator.isHandshakePath("/api/ws")).isFalse();
        assertThat(HandshakeAuthenticator.isHandshakePath("/")).isFalse();
    }

    @Test
    void aUserWithTheMostSessionsOnTheNodeIsRefusedUntilOneCloses() {
        open.put("alice", 2);
        assertThat(upgrade("/ws?access_token=" + alice).principal()).isNotNull();
        open.put("alice", 3);
        assertRefused(upgrade("/ws?access_token=" + alice), 429, "too_many_sessions");
        assertThat(meters.counter("switchboard.handshakes.rejected", "reason", "too_many_sessions")
                        .count())
                .isEqualTo(1);
        String bob = TestTokens.mint(TestTokens.SECRET, "bob", Duration.ofMinutes(5));
        assertThat(upgrade("/ws?access_token=" + bob).principal())
                .as("other users are not affected")
                .isNotNull();
        open.put("alice", 2);
        assertThat(upgrade("/ws?access_token=" + alice).principal()).isNotNull();
    }
}
