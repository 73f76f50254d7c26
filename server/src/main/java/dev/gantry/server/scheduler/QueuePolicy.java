package dev.gantry.server.scheduler;

/**
 * How one priority level's queue treats its requests, as Triton's {@code ModelQueuePolicy}.
 *
 * @param timeoutAction what happens to a request whose queue timeout passes
 * @param defaultTimeoutNanos the queue timeout of a request that sets none; 0 for none
 * @param allowTimeoutOverride whether a request's {@code timeout} parameter may lengthen the
 *     default (it may always shorten it)
 * @param maxQueueSize the most requests this level holds; further ones are refused at once
 */
public record QueuePolicy(
    TimeoutAction timeoutAction,
    long defaultTimeoutNanos,
    boolean allowTimeoutOverride,
    int maxQueueSize) {

  /**
   * The queue timeout a request gets: the one it asks for, bounded by the default unless the
   * policy allows overriding it; the default when it asks for none. 0 means none.
   */
  public long effectiveTimeoutNanos(long requestedNanos) {
    if (requestedNanos == 0 || allowTimeoutOverride || defaultTimeoutNanos == 0) {
      return requestedNanos == 0 ? defaultTimeoutNanos : requestedNanos;
    }
    return Math.min(requestedNanos, defaultTimeoutNanos);
  }

  /** What to do with a request that has waited past its queue timeout. */
  public enum TimeoutAction {
    /** Answer it with DEADLINE_EXCEEDED and drop it from the queue. */
    REJECT,
    /** Keep it, but behind every request that is still within its timeout. */
    DELAY
  }
}
