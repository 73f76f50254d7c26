package dev.gantry.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Collects what the load drivers observe, from many threads at once without locks, and hands it
 * over one measurement window at a time: latencies of successful requests in an HdrHistogram,
 * errors by status code, the client's own time, and requests that left later than scheduled.
 */
final class WindowRecorder {
  private static final int SIGNIFICANT_DIGITS = 3;

  private final Recorder latencies = new Recorder(SIGNIFICANT_DIGITS);
  private final LongAdder successes = new LongAdder();
  private final LongAdder completed = new LongAdder();
  private final LongAdder sendNanos = new LongAdder();
  private final LongAdder receiveNanos = new LongAdder();
  private final LongAdder issued = new LongAdder();
  private final LongAdder late = new LongAdder();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

  /** A request was sent. */
  void issued(boolean leftLate) {
    issued.increment();
    if (leftLate) {
      late.increment();
    }
  }

  /** A request succeeded {@code latencyNanos} after it was due to be sent. */
  void succeeded(long latencyNanos, ClientTime client) {
    latencies.recordValue(Math.max(0, latencyNanos));
    sendNanos.add(client.sendNanos());
    receiveNanos.add(client.receiveNanos());
    successes.increment();
    completed.increment();
  }

  /** A request failed with this error. */
  void failed(String code) {
    errors.computeIfAbsent(code, c -> new LongAdder()).increment();
    completed.increment();
  }

  /** Requests finished, successfully or not, since the last {@link #take}. */
  long completedSinceTake() {
    return completed.sum();
  }

  /** What was recorded since the last call, which starts a new window. */
  Sample take() {
    Histogram histogram = latencies.getIntervalHistogram();
    Map<String, Long> errorCounts = new TreeMap<>();
    errors.forEach((code, count) -> {
      long value = count.sumThenReset();
      if (value > 0) {
        errorCounts.put(code, value);
      }
    });
    completed.reset();
    return new Sample(histogram, successes.sumThenReset(), errorCounts, sendNanos.sumThenReset(),
        receiveNanos.sumThenReset(), issued.sumThenReset(), late.sumThenReset());
  }

  /**
   * What one window recorded.
   *
   * @param latencies latencies of successful requests, in nanoseconds
   * @param successes successful requests
   * @param errors failed requests by status code
   * @param sendNanos the client's total send time
   * @param receiveNanos the client's total receive time
   * @param issued requests sent
   * @param late requests that left later than scheduled (open loop only)
   */
  record Sample(Histogram latencies, long successes, Map<String, Long> errors, long sendNanos,
      long receiveNanos, long issued, long late) {
    Sample {
      errors = Map.copyOf(errors);
    }
  }
}
