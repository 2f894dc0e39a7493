package io.switchboard.routing.forwarding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

class NodeTopicDirectoryTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String NODE_A = "switchboard.node.a";

    /** Kafka's topics, as a test creates them; counts the listings. */
    private final Set<String> topics = ConcurrentHashMap.newKeySet();

    private final AtomicInteger listings = new AtomicInteger();
    private final AtomicBoolean brokerDown = new AtomicBoolean();

    private NodeTopicDirectory directory(Duration minInterval) {
        return new NodeTopicDirectory(
                () -> {
                    listings.incrementAndGet();
                    if (brokerDown.get()) {
                        throw new IllegalStateException("cannot list Kafka topics");
                    }
                    return Set.copyOf(topics);
                },
                () -> {},
                minInterval);
    }

    @Test
    void aNodeTopicCreatedRightAfterAListingIsFoundByTheNextQuestion() {
        NodeTopicDirectory directory = directory(Duration.ofMillis(500));
        assertThat(directory.exists(NODE_A).block(WAIT)).isFalse();

        topics.add(NODE_A); // a gateway node starts, then its first session connects

        assertThat(directory.exists(NODE_A).block(WAIT)).isTrue();
        assertThat(listings).hasValue(2);
    }

    @Test
    void aKnownTopicIsAnsweredWithoutAListing() {
        topics.add(NODE_A);
        NodeTopicDirectory directory = directory(Duration.ofMillis(100));
        assertThat(directory.exists(NODE_A).block(WAIT)).isTrue();

        assertThat(directory.exists(NODE_A).block(WAIT)).isTrue();

        assertThat(listings).hasValue(1);
    }

    @Test
    void questionsAskedTogetherShareTheNextListing() {
        NodeTopicDirectory directory = directory(Duration.ofMillis(100));

        List<Boolean> answers = Flux.range(0, 1_000)
                .flatMap(i -> directory.exists("switchboard.node.gone"), 1_000)
                .collectList()
                .block(WAIT);

        assertThat(answers).hasSize(1_000).containsOnly(false);
        // the first question's listing, and one more for those asked once it had started
        assertThat(listings.get()).isBetween(1, 2);
    }

    @Test
    void aFloodOfQuestionsAboutAMissingTopicListsAtMostOncePerInterval() {
        Duration minInterval = Duration.ofMillis(100);
        NodeTopicDirectory directory = directory(minInterval);
        long start = System.nanoTime();
        int questions = 0;
        while (System.nanoTime() - start < Duration.ofMillis(600).toNanos()) {
            assertThat(directory.exists("switchboard.node.gone").block(WAIT)).isFalse();
            questions++;
        }
        long elapsed = System.nanoTime() - start;

        assertThat(listings.get()).isLessThanOrEqualTo((int) (elapsed / minInterval.toNanos()) + 1);
        assertThat(questions).isGreaterThanOrEqualTo(listings.get());
    }

    @Test
    void aFailedListingFailsTheQuestionAndTheNextQuestionListsAgain() {
        NodeTopicDirectory directory = directory(Duration.ofMillis(50));
        topics.add(NODE_A);
        brokerDown.set(true);
        assertThatThrownBy(() -> directory.exists(NODE_A).block(WAIT)).hasMessageContaining("cannot list");

        brokerDown.set(false);

        assertThat(directory.exists(NODE_A).block(WAIT)).isTrue();
    }

    @Test
    void aSlowListingIsNotJoinedByAnotherOneRunningAtTheSameTime() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        CountDownLatch kafkaAnswers = new CountDownLatch(1);
        NodeTopicDirectory directory = new NodeTopicDirectory(
                () -> {
                    mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                    try {
                        kafkaAnswers.await(); // a slow metadata request
                        return Set.copyOf(topics);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    } finally {
                        running.decrementAndGet();
                    }
                },
                () -> {},
                Duration.ofMillis(10));
        var first = directory.exists(NODE_A).toFuture();
        Thread.sleep(100);
        var second = directory.exists(NODE_A).toFuture(); // asked after the first listing started
        Thread.sleep(100); // ten intervals

        assertThat(mostAtOnce).as("listings running at once").hasValue(1);
        kafkaAnswers.countDown();
        assertThat(first.get(5, TimeUnit.SECONDS)).isFalse();
        assertThat(second.get(5, TimeUnit.SECONDS)).isFalse();
        assertThat(mostAtOnce).hasValue(1);
    }
}
