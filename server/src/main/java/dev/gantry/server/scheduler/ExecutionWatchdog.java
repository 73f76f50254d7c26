package dev.gantry.server.scheduler;

import dev.gantry.server.error.InternalException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds each execution of a model version's instances by the execution timeout. When one runs
 * past it, the watchdog gives up on it: its requests fail at once (through the scheduler) and its
 * instance counts as stuck until the call returns, when its late result is discarded. It keeps
 * count of the stuck instances, so that the scheduler can tell when none is left to serve.
 *
 * <p>One timer per instance, not one per execution, so that a busy instance does not wake the
 * timer thread for every batch.
 */
final class ExecutionWatchdog {
  private static final Logger log = LoggerFactory.getLogger(ExecutionWatchdog.class);

  private final String label;
  private final long timeoutNanos;
  private final ScheduledExecutorService timer;
  private final Ticker ticker;
  private final BiConsumer<Execution, InternalException> abandon;
  private final AtomicInteger stuck = new AtomicInteger();
  /** Whether the scheduler has stopped; guarded by this. */
  private boolean stopped;

  /**
   * @param timeoutNanos how long one execution may run; zero turns the watchdog off
   * @param abandon fails an execution given up on, with the error its requests get
   */
  ExecutionWatchdog(String label, long timeoutNanos, ScheduledExecutorService timer,
      Ticker ticker, BiConsumer<Execution, InternalException> abandon) {
    this.label = label;
    this.timeoutNanos = timeoutNanos;
    this.timer = timer;
    this.ticker = ticker;
    this.abandon = abandon;
  }

  /** Starts watching the workers, unless the watchdog is off. */
  void watch(List<InstanceWorker> workers) {
    if (timeoutNanos > 0) {
      workers.forEach(worker -> lookAfter(worker, timeoutNanos));
    }
  }

  /**
   * Stops watching once each worker is idle: an execution still running when the scheduler
   * stops is watched to its timeout, which is what lets the shutdown stop waiting for it.
   */
  synchronized void stop() {
    stopped = true;
  }

  /** Cancels the next look at the workers that are idle, after {@link #stop}. */
  void cancelIdle(List<InstanceWorker> workers) {
    for (InstanceWorker worker : workers) {
      ScheduledFuture<?> watch = worker.watch;
      if (watch != null && !worker.busy) {
        watch.cancel(false);
      }
    }
  }

  /**
   * Why the version cannot serve, when all of its {@code instances} are stuck; empty while one
   * is not.
   */
  Optional<String> unavailableReason(int instances) {
    int stuckNow = stuck.get();
    if (instances == 0 || stuckNow < instances) {
      return Optional.empty();
    }
    return Optional.of("every instance (" + stuckNow + ") is stuck in an execution that ran past "
        + "the execution timeout of " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
        + " ms; it serves again when one returns");
  }

  /** An execution given up on has returned on {@code worker}: its instance serves again. */
  void returnedLate(InstanceWorker worker, Execution execution, Throwable failure) {
    worker.stuck = false;
    stuck.decrementAndGet();
    long millis = TimeUnit.NANOSECONDS.toMillis(ticker.nanoTime() - execution.phases().start());
    log.warn("{}: the execution on {} that overran its timeout returned after {} ms{}; its result "
        + "is discarded and the instance serves again", label, worker.name(), millis,
        failure == null ? "" : " with " + failure);
  }

  /**
   * One look at a worker: an execution past the timeout is given up on; otherwise the next look
   * is when the running execution would reach the timeout, or one timeout from now.
   */
  private void look(InstanceWorker worker) {
    Execution execution = worker.running;
    long next = timeoutNanos;
    if (execution != null) {
      long overdue = ticker.nanoTime() - (execution.phases().start() + timeoutNanos);
      if (overdue >= 0) {
        overran(worker, execution);
      } else {
        next = -overdue;
      }
    }
    lookAfter(worker, next);
  }

  private synchronized void lookAfter(InstanceWorker worker, long nanos) {
    if (stopped && !worker.busy) {
      return;
    }
    try {
      worker.watch = timer.schedule(() -> look(worker), nanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("{}: the timer is shut down; {} is no longer watched", label, worker.name());
    }
  }

  /** The execution ran past its timeout: its requests fail and its instance counts as stuck. */
  private void overran(InstanceWorker worker, Execution execution) {
    boolean first = execution.settle(() -> {
      worker.stuck = true;
      stuck.incrementAndGet();
    });
    if (!first) {
      return;
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(timeoutNanos);
    log.error("{}: an execution of {} requests on {} ran past the execution timeout of {} ms; its "
        + "requests fail and the instance takes no work until the call returns", label,
        execution.batch().size(), worker.name(), millis);
    abandon.accept(execution, new InternalException(label + " did not finish executing within "
        + "the execution timeout of " + millis + " ms; the requests of this batch are abandoned"));
  }
}
