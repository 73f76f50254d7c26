package dev.gantry.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Collects what the load drivers observe, from many threads at once without locks, and hands it
 * over one measurement window at a time: latencies of successful requests in an HdrHistogram,
 * errors by status code, the client's own time, and requests that left later than scheduled.
 * With one request outstanding it also records each two requests in a row as one sum: for a
 * model run in-process at its full batch, that sum is the latency a server adding nothing would
 * give a request that waits for the batch in front of it and then runs in its own.
 */
public final class WindowRecorder {
  private static final int SIGNIFICANT_DIGITS = 3;

  private final Recorder latencies = new Recorder(SIGNIFICANT_DIGITS);
  private final Recorder backToBack = new Recorder(SIGNIFICANT_DIGITS);
  private final AtomicLong previousLatency = new AtomicLong(-1);
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
    long latency = Math.max(0, latencyNanos);
    latencies.recordValue(latency);
    long previous = previousLatency.getAndSet(latency);
    if (previous >= 0) {
      backToBack.recordValue(previous + latency);
    }
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
    return new Sample(histogram, backToBack.getIntervalHistogram(), successes.sumThenReset(), errorCounts, sendNanos.sumThenReset(),
        receiveNanos.sumThenReset(), issued.sumThenReset(), late.sumThenReset());
  }

  /**
   * What one window recorded.
   *
   * @param latencies latencies of successful requests, in nanoseconds
   * @param backToBack sums of the latencies of two successful requests in a row, in nanoseconds;
   *     meaningful only with one request outstanding
   * @param successes successful requests
   * @param errors failed requests by status code
   * @param sendNanos the client's total send time
   * @param receiveNanos the client's total receive time
   * @param issued requests sent
   * @param late requests that left later than scheduled (open loop only)
   */
  public record Sample(Histogram latencies, Histogram backToBack, long successes, Map<String, Long> errors, long sendNanos,
      long receiveNanos, long issued, long late) {
    public Sample {
      errors = Map.copyOf(errors);
    }
  }
}
