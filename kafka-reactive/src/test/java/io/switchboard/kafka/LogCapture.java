package io.switchboard.kafka;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** What one class logs while open, for tests of what operators are told. */
final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(Logger logger) {
        this.logger = logger;
    }

    static LogCapture of(Class<?> type) {
        LogCapture capture = new LogCapture((Logger) LoggerFactory.getLogger(type));
        capture.appender.start();
        capture.logger.addAppender(capture.appender);
        return capture;
    }

    /** Events at INFO and above whose message contains {@code text}, in order. */
    List<ILoggingEvent> matching(String text) {
        synchronized (appender) { // appends hold the appender's lock
            return appender.list.stream()
                    .filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                    .filter(e -> e.getFormattedMessage().contains(text))
                    .toList();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
