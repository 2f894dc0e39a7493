package io.switchboard.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

class GroupedCallsTest {

    /** Calls that stay in flight until the test answers them. */
    private final List<List<Integer>> calls = new CopyOnWriteArrayList<>();

    private final List<Sinks.One<List<String>>> answers = new CopyOnWriteArrayList<>();

    private Mono<List<String>> held(List<Integer> requests) {
        calls.add(requests);
        Sinks.One<List<String>> answer = Sinks.one();
        answers.add(answer);
        return answer.asMono();
    }

    private static List<String> echo(List<Integer> requests) {
        return requests.stream().map(i -> "r" + i).toList();
    }

    @Test
    void aRequestMadeWhileIdleIsSentAtOnceAndTheOnesMadeMeanwhileShareTheNextCall() {
        GroupedCalls<Integer, String> grouped = new GroupedCalls<>("test", 1, 100, 1_000, this::held);
        List<String> got = new CopyOnWriteArrayList<>();

        grouped.submit(1).subscribe(got::add);
        for (int i = 2; i <= 5; i++) {
            grouped.submit(i).subscribe(got::add);
        }
        assertThat(calls).containsExactly(List.of(1));

        answers.get(0).tryEmitValue(echo(calls.get(0)));
        assertThat(calls).containsExactly(List.of(1), List.of(2, 3, 4, 5));
        answers.get(1).tryEmitValue(echo(calls.get(1)));

        assertThat(got).containsExactly("r1", "r2", "r3", "r4", "r5");
    }

    @Test
    void callsInFlightAndRequestsPerCallAreBounded() {
        GroupedCalls<Integer, String> grouped = new GroupedCalls<>("test", 2, 3, 1_000, this::held);

        for (int i = 1; i <= 10; i++) {
            grouped.submit(i).subscribe();
        }
        assertThat(calls).containsExactly(List.of(1), List.of(2));

        answers.get(0).tryEmitValue(echo(calls.get(0)));
        answers.get(1).tryEmitValue(echo(calls.get(1)));
        assertThat(calls).containsExactly(List.of(1), List.of(2), List.of(3, 4, 5), List.of(6, 7, 8));
    }

    @Test
    void beyondMaxWaitingARequestFailsAtOnceAndTheWaitingOnesAreStillAnswered() {
        GroupedCalls<Integer, String> grouped = new GroupedCalls<>("ledger", 1, 100, 3, this::held);
        List<String> got = new CopyOnWriteArrayList<>();
        // One in flight, three waiting.
        for (int i = 1; i <= 4; i++) {
            grouped.submit(i).subscribe(got::add);
        }

        assertThatThrownBy(() -> grouped.submit(5).block(Duration.ofSeconds(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ledger overloaded");
        answers.get(0).tryEmitValue(echo(calls.get(0)));
        answers.get(1).tryEmitValue(echo(calls.get(1)));
        assertThat(got).containsExactly("r1", "r2", "r3", "r4");
    }

    @Test
    void aFailedCallFailsItsOwnRequestsOnlyAndTheNextCallStillGoesOut() {
        GroupedCalls<Integer, String> grouped = new GroupedCalls<>("test", 1, 100, 1_000, this::held);
        List<Object> outcomes = new CopyOnWriteArrayList<>();
        for (int i = 1; i <= 3; i++) {
            grouped.submit(i).subscribe(outcomes::add, outcomes::add);
        }

        answers.get(0).tryEmitError(new IllegalStateException("redis down"));
        answers.get(1).tryEmitValue(echo(calls.get(1)));

        assertThat(outcomes).hasSize(3);
        assertThat(outcomes.get(0)).isInstanceOf(IllegalStateException.class);
        assertThat(outcomes.subList(1, 3)).containsExactly("r2", "r3");
    }

    @Test
    void anAnswerOfTheWrongLengthFailsEveryRequestOfTheCall() {
        GroupedCalls<Integer, String> grouped = new GroupedCalls<>("test", 1, 100, 1_000, this::held);
        grouped.submit(0).subscribe();
        Mono<String> first = grouped.submit(1).cache();
        Mono<String> second = grouped.submit(2).cache();
        first.subscribe(v -> {}, e -> {});
        second.subscribe(v -> {}, e -> {});

        answers.get(0).tryEmitValue(echo(calls.get(0)));
        answers.get(1).tryEmitValue(List.of("only one"));

        StepVerifier.create(first)
                .expectErrorMessage("test answered 1 values for 2 requests")
                .verify(Duration.ofSeconds(1));
        StepVerifier.create(second).expectError(IllegalStateException.class).verify(Duration.ofSeconds(1));
    }
}
