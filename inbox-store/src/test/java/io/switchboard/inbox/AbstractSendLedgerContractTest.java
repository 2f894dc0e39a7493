package io.switchboard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.inbox.SendLedger.Claim;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
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

    @Test
    void manyClaimsAtOnceOfManyUsersEachGetTheirOwnAnswer() {
        // Every (user, cid) is claimed twice, with different message ids, all at the same time.
        List<String> users = IntStream.range(0, 100)
                .mapToObj(i -> "u" + i + "-" + UUID.randomUUID())
                .toList();
        List<Claim> claims = Flux.range(0, 2_000)
                .flatMap(
                        i -> {
                            String user = users.get(i % users.size());
                            String cid = "c" + (i / users.size() % 10);
                            return ledger().claim(user, cid, user + "/" + cid + "/" + i, "to-" + user + "/" + cid)
                                    .map(claim -> Map.entry(user + "/" + cid, claim));
                        },
                        2_000)
                .collectList()
                .block()
                .stream()
                .map(entry -> {
                    assertThat(entry.getValue().messageId()).startsWith(entry.getKey() + "/");
                    assertThat(entry.getValue().to()).isEqualTo("to-" + entry.getKey());
                    return entry.getValue();
                })
                .toList();

        assertThat(claims).hasSize(2_000);
        assertThat(claims).filteredOn(Claim::first).hasSize(1_000);
        assertThat(claims.stream().collect(Collectors.groupingBy(Claim::messageId, Collectors.counting())))
                .hasSize(1_000)
                .allSatisfy((id, count) -> assertThat(count).isEqualTo(2L));
    }
}
