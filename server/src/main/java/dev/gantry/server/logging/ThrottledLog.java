package dev.gantry.server.logging;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;

/**
 * A warning any client can trigger as often as it likes (an oversized message, a refused
 * connection): logged at most once per interval, with how many times it happened since the last
 * line, so that a hostile client cannot flood the server's log.
 */
public final class ThrottledLog {
  private final Logger log;
  private final long intervalNanos;
  private final AtomicLong nextLineAt;
  private final LongAdder suppressed = new LongAdder();

  public ThrottledLog(Logger log, Duration interval) {
    this.log = log;
    this.intervalNanos = interval.toNanos();
    this.nextLineAt = new AtomicLong(System.nanoTime());
  }

  /** Logs {@code message} (without a stack trace) unless a line was written within the interval. */
  public void warn(String message) {
    long now = System.nanoTime();
    long due = nextLineAt.get();
    if (now - due >= 0 && nextLineAt.compareAndSet(due, now + intervalNanos)) {
      long more = suppressed.sumThenReset();
      log.warn(more == 0 ? message
          : message + " (and " + more + " more times since the last such line)");
    } else {
      suppressed.increment();
    }
  }
}
