package io.switchboard.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** BlockHound is installed for this module's tests by its JUnit listener, with {@link BlockingCallReport}. */
class BlockingCallReportTest {

    /**
     * Non-blocking to BlockHound like Reactor's own parallel threads, but named so that the calls
     * this test makes on purpose are not taken for findings where .ci/run prints them.
     */
    private static final Scheduler SELF_TEST = Schedulers.newParallel("blocking-call-report-self-test", 2);

    @AfterAll
    static void stopTheScheduler() {
        SELF_TEST.dispose();
    }

    @Test
    void aBlockingCallIsLetThroughAndThenFailsTheCheckNamingThreadAndMethod() {
        assertThat(sleepOnANonBlockingThread()).isEqualTo("slept");

        assertThatThrownBy(() -> BlockingCallReport.assertNoneRecorded("this test"))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("1 blocking call(s) on non-blocking threads during this test:")
                .hasMessageContaining("BLOCKING CALL on blocking-call-report-self-test-")
                .hasMessageContaining("Thread.sleep")
                .hasMessageContaining("at " + BlockingCallReportTest.class.getName());
        BlockingCallReport.assertNoneRecorded("the next check"); // the first one cleared the record
    }

    @Test
    void callsBeyondTheKeptOnesAreCounted() {
        int calls = BlockingCallReport.KEPT + 3;
        for (int i = 0; i < calls; i++) {
            sleepOnANonBlockingThread();
        }

        assertThatThrownBy(() -> BlockingCallReport.assertNoneRecorded("this test"))
                .hasMessageStartingWith(calls + " blocking call(s) on non-blocking threads during this test (the first "
                        + BlockingCallReport.KEPT + " follow):");
    }

    private static String sleepOnANonBlockingThread() {
        return Mono.fromCallable(() -> {
                    Thread.sleep(1);
                    return "slept";
                })
                .subscribeOn(SELF_TEST)
                .block(Duration.ofSeconds(5));
    }
}
