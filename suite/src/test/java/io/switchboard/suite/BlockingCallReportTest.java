package io.switchboard.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** BlockHound is installed for this module's tests by its JUnit listener, with {@link BlockingCallReport}. */
class BlockingCallReportTest {

    @Test
    void aBlockingCallIsLetThroughAndThenFailsTheCheckNamingThreadAndMethod() {
        assertThat(sleepOnANonBlockingThread()).isEqualTo("slept");

        assertThatThrownBy(() -> BlockingCallReport.assertNoneRecorded("this test"))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("1 blocking call(s) on non-blocking threads during this test:")
                .hasMessageContaining("BLOCKING CALL on parallel-")
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
                .subscribeOn(Schedulers.parallel())
                .block(Duration.ofSeconds(5));
    }
}
