package io.switchboard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.inbox.SendLedger.Claim;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/** The guarantees of {@link SendLedger}, run against every implementation. */
abstract class AbstractSendLedgerContractTest {

    protected abstract SendLedger ledger();

    private final String alice = "alice-" + UUID.randomUUID();

    @Test
    void theFirstClaimOfACidWinsAndLaterClaimsGetItsMessageId() {
        assertThat(ledger().claim(alice, "c1", "m1", "bob").block()).isEqualTo(new Claim("m1", "bob", true));
        assertThat(ledger().claim(alice, "c1", "m2", "bob").block()).isEqualTo(new Claim("m1", "bob", false));
        assertThat(ledger().claim(alice, "c1", "m3", "carol").block()).isEqualTo(new Claim("m1", "bob", false));
    }

    @Test
    void cidsAreScopedToTheirUser() {
        ledger().claim(alice, "c1", "m1", "bob").block();

        assertThat(ledger().claim("mallory-" + UUID.randomUUID(), "c1", "m9", "bob")
                        .block())
                .isEqualTo(new Claim("m9", "bob", true));
        assertThat(ledger().claim(alice, "c2", "m2", "bob").block()).isEqualTo(new Claim("m2", "bob", true));
    }

    @Test
    void ofConcurrentClaimsOfOneCidExactlyOneWins() {
        List<Claim> claims = Flux.range(0, 32)
                .flatMap(i -> ledger().claim(alice, "same", "m" + i, "bob"), 32)
                .collectList()
                .block();

        assertThat(claims).filteredOn(Claim::first).hasSize(1);
        assertThat(claims)
                .extracting(Claim::messageId)
                .containsOnly(claims.stream()
                        .filter(Claim::first)
                        .findFirst()
                        .orElseThrow()
                        .messageId());
    }
}
