package dev.gantry.server.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ThrottledLogTest {
  @Test
  void logsOncePerIntervalThenSaysHowManyTimesItWasQuiet() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger("throttled-log-test");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    ThrottledLog log = new ThrottledLog(logger, Duration.ofMillis(300));

    for (int i = 0; i < 5; i++) {
      log.warn("refused");
    }
    assertEquals(1, lines.list.size());
    Thread.sleep(400);
    log.warn("refused");

    assertEquals(2, lines.list.size());
    assertEquals("refused", lines.list.get(0).getFormattedMessage());
    assertEquals("refused (and 4 more times since the last such line)",
        lines.list.get(1).getFormattedMessage());
  }
}
