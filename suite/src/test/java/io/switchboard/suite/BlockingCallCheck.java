package io.switchboard.suite;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class during which a blocking call was made on a non-blocking thread
 * ({@link BlockingCallReport}), after its tests ran. Registered for every test class of this module
 * by JUnit's extension auto-detection ({@code junit-platform.properties}). A call made by a
 * background thread between two classes is blamed on the second: the thread and stack in the
 * message tell where it came from.
 */
public final class BlockingCallCheck implements AfterAllCallback {

    @Override
    public void afterAll(ExtensionContext context) {
        BlockingCallReport.assertNoneRecorded(context.getDisplayName());
    }
}
