package dev.gantry.server.scheduler;

/** Why the scheduler sent a batch to an instance when it did; recorded for every execution. */
public enum DispatchReason {
  /** The batch reached {@code max_batch_size}, or nothing else could join it. */
  FULL,
  /** The batch reached one of the configured preferred batch sizes. */
  PREFERRED,
  /** The oldest request had waited {@code max_queue_delay_microseconds}. */
  DELAY,
  /** Waiting longer would have let a request in the batch miss its deadline. */
  DEADLINE,
  /** The model is unloading or the server is stopping; queued work runs now. */
  DRAIN,
  /** The model does not batch, or batching is off: every request runs alone. */
  UNBATCHED,
  /**
   * The model does not batch, an instance was idle and nothing was queued: the request ran on the
   * thread it arrived on ({@code execute_on_arrival_us}).
   */
  ON_ARRIVAL,
  /**
   * The request's batch failed because the backend refused the inputs of one of its requests; each
   * runs again alone, so that only the one at fault fails.
   */
  ALONE_AFTER_INVALID_BATCH
}
