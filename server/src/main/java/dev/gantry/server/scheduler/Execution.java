package dev.gantry.server.scheduler;

import java.util.List;

/**
 * One batch on one instance. Its requests are answered exactly once, by whichever settles it
 * first: the instance returning or the watchdog giving up.
 */
final class Execution {
  private final List<InferenceRequest> batch;
  private final long items;
  private final DispatchReason reason;
  private final long[] queueNanos;
  private final long[] rows;
  private final PhaseClock phases;
  private boolean settled;

  /**
   * @param batch the requests claimed for it, in queue order
   * @param items the batch items they add up to
   * @param phases started at the instant of dispatch
   */
  Execution(List<InferenceRequest> batch, long items, DispatchReason reason, PhaseClock phases) {
    this.batch = List.copyOf(batch);
    this.items = items;
    this.reason = reason;
    this.phases = phases;
    this.queueNanos = new long[batch.size()];
    this.rows = new long[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      queueNanos[i] = phases.start() - batch.get(i).enqueuedNanos();
      rows[i] = batch.get(i).batchSize();
    }
  }

  List<InferenceRequest> batch() {
    return batch;
  }

  /** Each request's batch size, in batch order. */
  long[] rows() {
    return rows;
  }

  PhaseClock phases() {
    return phases;
  }

  /**
   * Settles the execution unless something already did; {@code whileSettling} runs atomically
   * with settling it, so that whoever comes second sees its effect.
   *
   * @return whether this call settled it
   */
  synchronized boolean settle(Runnable whileSettling) {
    if (settled) {
      return false;
    }
    settled = true;
    whileSettling.run();
    return true;
  }

  /** What the listener is told about it once settled, at {@code done}. */
  ExecutionRecord record(long done, boolean succeeded) {
    return new ExecutionRecord(batch.size(), items, reason, queueNanos, phases.inputNanos(),
        phases.inferNanos(), phases.outputNanos(done), succeeded);
  }
}
