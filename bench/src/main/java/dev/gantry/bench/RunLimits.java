package dev.gantry.bench;

/**
 * The hard bounds every loop of a run obeys, whatever else happens: a deadline ({@code
 * --max-duration} from the start) and a cap on the requests of one load level.
 *
 * @param deadlineNanos the {@link System#nanoTime()} at which everything stops
 */
record RunLimits(long deadlineNanos) {
  /** The most requests one load level sends, a bound no real run comes near. */
  static final long MAX_REQUESTS_PER_LEVEL = 1L << 32;

  /** Whether request {@code sequence} of a level may still be sent. */
  boolean allows(long sequence) {
    return sequence < MAX_REQUESTS_PER_LEVEL && !expired();
  }

  boolean expired() {
    return System.nanoTime() - deadlineNanos >= 0;
  }

  /** Nanoseconds left before the deadline, never negative. */
  long remainingNanos() {
    return Math.max(0, deadlineNanos - System.nanoTime());
  }
}
