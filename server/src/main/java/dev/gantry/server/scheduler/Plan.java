package dev.gantry.server.scheduler;

import java.util.List;

/** What an idle instance should do next, as decided by {@link RequestQueue#next(long, boolean)}. */
sealed interface Plan {
  /** Nothing is queued: wait for a request. */
  record Idle() implements Plan {}

  /** Requests are queued but the batch should wait for more until this instant. */
  record WaitUntil(long nanos) implements Plan {}

  /** Execute these requests, already taken off the queue, as one batch. */
  record Dispatch(List<InferenceRequest> batch, long items, DispatchReason reason) implements Plan {}
}
