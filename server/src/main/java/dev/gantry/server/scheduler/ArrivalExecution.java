package dev.gantry.server.scheduler;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decides when a request of a model that does not batch may execute on the thread it arrived
 * on (a transport event loop) instead of being queued for an instance thread: when the model's
 * configuration allows it ({@code execute_on_arrival_us}), an instance is idle, nothing is queued,
 * and each of the model's recent executions took at most the configured bound.
 *
 * <p>Why: for a model of microseconds the two thread hand-offs of the queued path (to the
 * instance thread and back to the event loop) cost more than the model; on a virtual machine,
 * waking an idle core can take longer still. Why the guard: an event loop serves every call on
 * its connections, and a slow execution on it delays them all, so one execution over the bound
 * (or past the execution timeout, before it returns) sends the model back to its instance
 * threads until {@value #STEADY_EXECUTIONS} in a row are within it again. The guard acts after
 * the fact: the slow execution itself still holds its event loop until it returns.
 */
public final class ArrivalExecution {
  /** Executions in a row within the bound before requests may run on arrival. */
  public static final int STEADY_EXECUTIONS = 64;

  private final long boundNanos;
  /** Executions in a row within the bound, at most {@link #STEADY_EXECUTIONS}. */
  private final AtomicInteger withinBound = new AtomicInteger();

  /** @param boundNanos the longest execution that keeps running on arrival allowed; 0: never */
  ArrivalExecution(long boundNanos) {
    this.boundNanos = boundNanos;
  }

  /** Whether the recent executions allow the next request to run on arrival. */
  boolean allowed() {
    return withinBound.get() >= STEADY_EXECUTIONS;
  }

  /** Records how long an execution of the model took, on whichever thread it ran. */
  void observed(long nanos) {
    if (boundNanos > 0 && nanos > boundNanos) {
      withinBound.set(0);
    } else if (boundNanos > 0) {
      withinBound.updateAndGet(count -> Math.min(count + 1, STEADY_EXECUTIONS));
    }
  }

  /** An execution overran its timeout and has not returned: no request runs on arrival. */
  void overran() {
    withinBound.set(0);
  }
}
