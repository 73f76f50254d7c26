package dev.gantry.server.scheduler;

import dev.gantry.server.error.GantryException;
import dev.gantry.spi.Tensor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the outcomes of one model version's requests to their listeners, in arrival order when
 * the policy preserves ordering, each on its listener's executor; and accounts for executions:
 * how many requests are executing, and a record of each to the {@link ExecutionListener}.
 */
final class Outcomes {
  private static final Logger log = LoggerFactory.getLogger(Outcomes.class);

  private final String label;
  private final ResponseOrder order;
  private final ExecutionListener listener;
  private final Ticker ticker;
  private final AtomicInteger executing = new AtomicInteger();

  Outcomes(String label, boolean preserveOrdering, ExecutionListener listener, Ticker ticker) {
    this.label = label;
    this.order = new ResponseOrder(preserveOrdering);
    this.listener = listener;
    this.ticker = ticker;
  }

  /** Requests whose batch is executing now. */
  int executing() {
    return executing.get();
  }

  /** A batch started executing. */
  void started(Execution execution) {
    executing.addAndGet(execution.batch().size());
  }

  /** A settled execution: no longer executing, and reported to the listener. */
  void settled(Execution execution, boolean succeeded) {
    executing.addAndGet(-execution.batch().size());
    listener.onExecution(execution.record(ticker.nanoTime(), succeeded));
  }

  /** Delivers a request's outputs; the request was claimed. */
  void respond(InferenceRequest request, Map<String, Tensor> outputs) {
    deliver(request, () -> request.listener().onResponse(outputs));
  }

  /** Delivers a request's failure; the request was claimed. */
  void fail(InferenceRequest request, GantryException error) {
    deliver(request, () -> request.listener().onError(error));
  }

  /** Fails requests taken out of the queue, each unless something else already claimed it. */
  void failUnclaimed(List<InferenceRequest> requests, GantryException error) {
    for (InferenceRequest request : requests) {
      if (request.claim()) {
        fail(request, error);
      }
    }
  }

  /** A delivery that throws is logged and affects no other request. */
  private void deliver(InferenceRequest request, Runnable delivery) {
    order.complete(request.sequence(), () -> Outbox.post(request.listener().executor(), () -> {
      try {
        delivery.run();
      } catch (RuntimeException e) {
        log.error("{}: delivering the outcome of request '{}' failed", label, request.id(), e);
      }
    }));
  }
}
