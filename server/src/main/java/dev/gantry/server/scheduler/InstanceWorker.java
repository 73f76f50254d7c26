package dev.gantry.server.scheduler;

import dev.gantry.server.affinity.AffinityException;
import dev.gantry.server.affinity.CpuSet;
import dev.gantry.server.affinity.ThreadAffinity;
import dev.gantry.server.error.GantryException;
import dev.gantry.server.error.InternalException;
import dev.gantry.spi.InvalidInputException;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One instance of a model version and the named thread that runs its executions: it takes the
 * next batch from its {@link ModelScheduler} whenever the instance is free, joins the batch's
 * inputs, executes it, splits the outputs per request and hands the outcome back to the
 * scheduler. Its thread runs on the instance's cores, if it has any. When the scheduler stops,
 * the thread closes the instance.
 */
final class InstanceWorker {
  private static final Logger log = LoggerFactory.getLogger(InstanceWorker.class);

  private final ModelScheduler scheduler;
  private final ModelInstance instance;
  private final String name;
  /** The cores the thread runs on; empty for wherever the system puts it. */
  private final Optional<CpuSet> cores;
  private final ExecutionWatchdog watchdog;
  private final Ticker ticker;
  private final String label;
  private final Thread thread;
  /** Whether the watchdog gave up on the execution this worker is in. */
  volatile boolean stuck;
  /** The execution in progress, for the watchdog; null between executions. */
  volatile Execution running;
  /** Whether a batch was dispatched to this worker and it has not finished with it yet. */
  volatile boolean busy;
  /**
   * Whether the instance is lent to a thread running a request on arrival; guarded by the
   * scheduler's lock. While lent, this worker's own thread takes no batch and does not end.
   */
  boolean lent;
  /** Whether this worker's thread is ending, so its instance may not be lent; under the lock. */
  boolean retired;
  /** The watchdog's next look at this worker. */
  volatile ScheduledFuture<?> watch;

  /**
   * @param name the thread's name
   * @param label names the model version in messages
   */
  InstanceWorker(ModelScheduler scheduler, ModelInstance instance, String name,
      Optional<CpuSet> cores, ExecutionWatchdog watchdog, Ticker ticker, String label) {
    this.scheduler = scheduler;
    this.instance = instance;
    this.name = name;
    this.cores = cores;
    this.watchdog = watchdog;
    this.ticker = ticker;
    this.label = label;
    this.thread = NativeThreads.newThread(this::serve, name);
  }

  String name() {
    return name;
  }

  /**
   * Starts the thread. A worker with cores is started while this thread is bound to them, so that
   * its thread runs there from its first instruction. The instance was loaded on those cores a
   * moment ago, so a refusal here means the system changed meanwhile; the thread then runs where
   * this one does, and an error says so.
   */
  void start() {
    if (cores.isEmpty()) {
      thread.start();
      return;
    }
    try {
      ThreadAffinity.callBound(cores.get(), () -> {
        thread.start();
        return null;
      });
      log.info("{} runs on cores {}", name, cores.get());
    } catch (AffinityException e) {
      thread.start();
      log.error("{} runs where its loader runs, not on cores {}: {}", name, cores.get(),
          e.getMessage());
    }
  }

  /**
   * Waits for the thread to end, until the deadline; with no deadline ({@link Long#MAX_VALUE}),
   * until it ends or is stuck in an execution the watchdog gave up on.
   */
  void awaitEnd(long deadlineNanos) throws InterruptedException {
    if (deadlineNanos == Long.MAX_VALUE) {
      while (thread.isAlive() && !stuck) {
        thread.join(50);
      }
    } else {
      long millis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
      if (millis > 0) {
        thread.join(millis);
      }
    }
  }

  /** The thread's life: execute batches until the scheduler stops, then close the instance. */
  private void serve() {
    try {
      Plan.Dispatch batch;
      while ((batch = scheduler.awaitBatch(this)) != null) {
        Plan.Dispatch dispatch = batch;
        try {
          Outbox.collecting(() -> execute(dispatch));
        } finally {
          busy = false;
        }
      }
    } finally {
      scheduler.retire(this);
      instance.close();
    }
  }

  /**
   * Runs one request on the calling thread with this worker's instance, which the scheduler lent
   * for it, and gives the instance back. The outcome reaches the request's listener as any other.
   */
  void executeOnArrival(InferenceRequest request) {
    try {
      Outbox.collecting(() -> execute(
          new Plan.Dispatch(List.of(request), request.batchSize(), DispatchReason.ON_ARRIVAL)));
    } catch (RuntimeException e) {
      log.error("{}: running request '{}' on arrival failed outside the backend", label,
          request.id(), e);
    } finally {
      scheduler.returned(this);
    }
  }

  private void execute(Plan.Dispatch dispatch) {
    long dispatched = ticker.nanoTime();
    List<InferenceRequest> batch = new ArrayList<>(dispatch.batch().size());
    for (InferenceRequest request : dispatch.batch()) {
      if (request.claimToRun()) {
        batch.add(request);
      }
    }
    if (batch.isEmpty()) {
      return;
    }
    try {
      run(new Execution(
          batch, dispatch.items(), dispatch.reason(), new PhaseClock(ticker, dispatched)));
    } finally {
      batch.forEach(InferenceRequest::releaseInputs);
    }
  }

  /**
   * Runs one execution of claimed requests and settles it. When the backend refuses the inputs of
   * a batch of several requests, one of them is at fault but which one is unknown: each then runs
   * again alone, so that only the requests the backend refuses on their own fail (Triton fails
   * the whole batch).
   */
  private void run(Execution execution) {
    List<InferenceRequest> batch = execution.batch();
    scheduler.started(execution);
    running = execution;
    Map<String, Tensor> outputs = null;
    Throwable failure = null;
    long start = ticker.nanoTime();
    try {
      outputs = instance.execute(
          Batches.joinInputs(batch), Batches.requestedOutputs(batch), execution.phases());
    } catch (Throwable e) {
      failure = e;
    }
    scheduler.executed(ticker.nanoTime() - start);
    running = null;
    if (!execution.settle(() -> {})) {
      watchdog.returnedLate(this, execution, failure);
      return;
    }
    if (failure instanceof InvalidInputException invalid && batch.size() > 1) {
      BackendFailures.logRefused(label, invalid, batch.size());
      scheduler.runningAlone(execution);
      for (InferenceRequest request : batch) {
        run(new Execution(List.of(request), request.batchSize(),
            DispatchReason.ALONE_AFTER_INVALID_BATCH, new PhaseClock(ticker, ticker.nanoTime())));
      }
      return;
    }
    if (failure != null) {
      scheduler.failed(execution, backendFailure(failure, batch.size()));
      return;
    }
    List<Map<String, Tensor>> perRequest;
    try {
      perRequest = Batches.splitOutputs(batch, execution.rows(), outputs);
    } catch (RuntimeException e) {
      scheduler.failed(execution,
          new InternalException(label + " returned a malformed result: " + e.getMessage()));
      return;
    }
    scheduler.succeeded(execution, perRequest);
  }

  /** The error a batch's requests get when the backend's execute threw. */
  private GantryException backendFailure(Throwable failure, int requests) {
    return BackendFailures.of(label, failure, requests);
  }
}
