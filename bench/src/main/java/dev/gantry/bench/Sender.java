package dev.gantry.bench;

import java.time.Duration;

/**
 * Takes requests from a {@link PushLoop} and sends them, holding back while its limit of
 * outstanding requests is reached, so that the loop decides when requests are due and the sender
 * how they go out.
 */
interface Sender {
  /** Passed as the due time of closed-loop requests: due when they actually leave. */
  long NOW = Long.MIN_VALUE;

  /** A scheduled request counts as late when it leaves more than this after its due time. */
  long LATE_NANOS = 1_000_000;

  /**
   * Sends request {@code sequence}, first waiting while too many are outstanding.
   *
   * @param dueNanos when it was due ({@link System#nanoTime()}), or {@link #NOW}
   * @return false when the sender stopped before it could send
   */
  boolean send(long sequence, long dueNanos);

  /** Stops sending; waits, at most {@code drain}, for the requests in flight. */
  void stop(Duration drain);

  /** Whether a request due at {@code dueNanos} and leaving at {@code nowNanos} is late. */
  static boolean late(long dueNanos, long nowNanos) {
    return dueNanos != NOW && nowNanos - dueNanos > LATE_NANOS;
  }
}
