package dev.gantry.server.scheduler;

import dev.gantry.server.affinity.CpuSet;
import dev.gantry.server.error.DeadlineExceededException;
import dev.gantry.server.error.GantryException;
import dev.gantry.server.error.ResourceExhaustedException;
import dev.gantry.server.error.UnavailableException;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Queues the requests of one model version and runs them on its instances, batching them as the
 * {@link BatchingPolicy} says: admission, the queue's state, batch formation and the delivery of
 * outcomes live here.
 *
 * <p>Each instance has an {@link InstanceWorker}, whose own named thread takes the next batch
 * from the shared {@link RequestQueue} whenever the instance is free. A queued request leaves the
 * queue the moment its deadline passes or its caller cancels, even while every instance is busy,
 * so it never runs late and never holds a place another request could use.
 *
 * <p>A failing backend fails only the batch it was executing: whatever the backend throws, or a
 * result that does not fit the batch, is reported to that batch's requests as INTERNAL, and the
 * instance takes the next batch. An {@link ExecutionWatchdog} bounds each execution: when one
 * runs past the execution timeout, its requests fail at once with INTERNAL and the instance
 * counts as stuck until the call returns (its late result is discarded); the other instances
 * keep serving. While every instance is stuck the version is unavailable: queued requests fail,
 * new ones are refused with the reason, and it serves again as soon as one stuck call returns.
 *
 * <p>A model that declares {@code execute_on_arrival_us} may have a request run on the thread
 * that submits it, with an idle instance lent for it ({@link ArrivalExecution} decides when).
 *
 * <p>{@link Outcomes} hands the outcomes to the listeners. What stays here (about 500 lines) is
 * what one lock guards together: the queue, the alarms of its requests' deadlines and timeouts,
 * the drain's state, the filling batch and which instances are lent, so that it reads as one
 * piece.
 */
public final class ModelScheduler {
  private enum State {
    RUNNING,
    DRAINING,
    STOPPED
  }

  private final String label;
  private final BatchingPolicy policy;
  private final Ticker ticker;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /** Signalled when a lent instance comes back; its worker's thread waits on this, not changed. */
  private final Condition instanceBack = lock.newCondition();
  private final RequestQueue queue;
  /** The deadlines and REJECT timeouts of queued requests; guarded by the lock. */
  private final Alarm expiries;
  /** The DELAY timeouts of queued requests; guarded by the lock. */
  private final Alarm delays;
  private final Outcomes outcomes;
  private final ExecutionWatchdog watchdog;
  private final List<InstanceWorker> workers = new ArrayList<>();
  /** When the instance holding a partial batch dispatches it at the latest; guarded by the lock. */
  private long fillingUntil = InferenceRequest.NO_DEADLINE;
  private State state = State.RUNNING;
  private final ArrivalExecution arrival;

  /**
   * @param label names the model version in thread names and messages, e.g. {@code model 'simple'
   *     version 1}
   * @param threadPrefix the prefix of the instance threads' names
   * @param timer runs deadline expiries and the execution watchdog; shared by all schedulers
   * @param executionTimeout how long one execution may run before its requests fail and its
   *     instance counts as stuck; zero turns the watchdog off
   */
  public ModelScheduler(
      String label,
      String threadPrefix,
      BatchingPolicy policy,
      List<ModelInstance> instances,
      ScheduledExecutorService timer,
      Ticker ticker,
      ExecutionListener listener,
      Duration executionTimeout) {
    this(label, threadPrefix, policy, instances, timer, ticker, listener, executionTimeout,
        Collections.nCopies(instances.size(), Optional.empty()));
  }

  /**
   * A scheduler whose instance threads run on given cores.
   *
   * @param instanceCores for each instance, in order, the cores its thread is bound to (empty
   *     for no binding)
   */
  public ModelScheduler(
      String label,
      String threadPrefix,
      BatchingPolicy policy,
      List<ModelInstance> instances,
      ScheduledExecutorService timer,
      Ticker ticker,
      ExecutionListener listener,
      Duration executionTimeout,
      List<Optional<CpuSet>> instanceCores) {
    if (instanceCores.size() != instances.size()) {
      throw new IllegalArgumentException(
          instanceCores.size() + " core bindings for " + instances.size() + " instances");
    }
    this.label = label;
    this.policy = policy;
    this.ticker = ticker;
    this.queue = new RequestQueue(policy);
    this.arrival = new ArrivalExecution(policy.executeOnArrivalNanos());
    this.expiries = new Alarm(timer, this::expireDue, InferenceRequest::expiresNanos);
    this.delays = new Alarm(timer, this::delayDue, InferenceRequest::delayNanos);
    this.outcomes = new Outcomes(label, policy.preserveOrdering(), listener, ticker);
    this.watchdog =
        new ExecutionWatchdog(label, executionTimeout.toNanos(), timer, ticker, this::abandoned);
    for (int i = 0; i < instances.size(); i++) {
      workers.add(new InstanceWorker(this, instances.get(i), threadPrefix + "-instance-" + i,
          instanceCores.get(i), watchdog, ticker, label));
    }
    workers.forEach(InstanceWorker::start);
    watchdog.watch(workers);
  }

  public BatchingPolicy policy() {
    return policy;
  }

  /**
   * Queues a request. Its outcome reaches its listener later, from another thread; or, for a
   * request run on arrival, on this thread before this returns.
   *
   * <p>The request's queue timeout is its level's policy applied to what it asks for: under
   * REJECT the request leaves the queue when it passes, under DELAY it moves behind the timely
   * requests of its level. Its call deadline always removes it.
   *
   * @throws UnavailableException if the version is unloading, or every instance is stuck
   * @throws ResourceExhaustedException if the request's priority level is full
   * @throws DeadlineExceededException if its deadline has already passed
   */
  public void submit(InferenceRequest request) {
    long now = ticker.nanoTime();
    QueuePolicy queuePolicy = policy.level(request.priorityLevel());
    long timeout = queuePolicy.effectiveTimeoutNanos(request.timeoutNanos());
    long expires = request.callDeadlineNanos();
    long delayAt = InferenceRequest.NO_DEADLINE;
    long timeoutAt = timeout > 0 ? instantAfter(now, timeout) : InferenceRequest.NO_DEADLINE;
    if (queuePolicy.timeoutAction() == QueuePolicy.TimeoutAction.REJECT) {
      expires = Math.min(expires, timeoutAt);
    } else {
      delayAt = timeoutAt;
    }
    if (expires != InferenceRequest.NO_DEADLINE && expires - now <= 0) {
      throw new DeadlineExceededException(
          "deadline passed before request '" + request.id() + "' reached the queue of " + label);
    }
    InstanceWorker lent;
    lock.lock();
    try {
      if (state != State.RUNNING) {
        throw new UnavailableException(label + " is unloading and takes no new requests");
      }
      Optional<String> unavailable = unavailableReason();
      if (unavailable.isPresent()) {
        throw new UnavailableException(label + " is unavailable: " + unavailable.get());
      }
      lent = arrival.allowed() && queue.size() == 0 ? lendIdleWorker() : null;
      if (lent != null) {
        request.markEnqueued(now, 0, expires);
      } else if (queue.offer(request, now, expires)) {
        queued(request, now, expires, delayAt);
      } else {
        int level = request.priorityLevel();
        throw new ResourceExhaustedException(
            "queue of " + label + " is full at priority level " + level + ": max_queue_size is "
                + queuePolicy.maxQueueSize());
      }
    } finally {
      lock.unlock();
    }
    if (lent != null) {
      lent.executeOnArrival(request);
    }
  }

  /** Records a request the queue took: its alarms, and the instance that may take it. */
  private void queued(InferenceRequest request, long now, long expires, long delayAt) {
    if (expires != InferenceRequest.NO_DEADLINE) {
      expiries.add(request, now);
    }
    if (delayAt != InferenceRequest.NO_DEADLINE) {
      request.delayAt(delayAt);
      delays.add(request, now);
    }
    if (mayChangeThePlan(expires)) {
      changed.signal();
    }
  }

  /** An idle instance, lent to the caller; null when every instance is busy or stuck. */
  private InstanceWorker lendIdleWorker() {
    for (InstanceWorker worker : workers) {
      if (!worker.busy && !worker.lent && !worker.stuck && !worker.retired) {
        worker.lent = true;
        worker.busy = true;
        return worker;
      }
    }
    return null;
  }

  /** A worker's instance, lent for a request on arrival, is back: its thread may take batches. */
  void returned(InstanceWorker worker) {
    lock.lock();
    try {
      worker.lent = false;
      worker.busy = false;
      instanceBack.signalAll();
      if (queue.size() > 0) {
        changed.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * A worker's thread is ending: its instance is never lent again, and this returns once it is
   * not lent, so that the thread closes it only when no request is running on it.
   */
  void retire(InstanceWorker worker) {
    lock.lock();
    try {
      worker.retired = true;
      while (worker.lent) {
        instanceBack.awaitUninterruptibly();
      }
    } finally {
      lock.unlock();
    }
  }

  /** How long one execution took, on whichever thread it ran. */
  void executed(long nanos) {
    arrival.observed(nanos);
  }

  /**
   * Whether a request just queued can change what a waiting instance does. While an instance
   * holds a partial batch until {@code max_queue_delay}, one more request changes nothing unless
   * it can fill the batch, reach a preferred size, or has to leave before the delay ends; not
   * waking the instance for every arrival saves a thread switch per request on a busy core.
   */
  private boolean mayChangeThePlan(long expires) {
    return fillingUntil == InferenceRequest.NO_DEADLINE
        || queue.items() >= policy.maxBatchSize()
        || policy.hasPreferredBatchSizes()
        || expires - fillingUntil < 0;
  }

  /** The instant {@code nanos} after {@code now}; no deadline when that is beyond the clock. */
  private static long instantAfter(long now, long nanos) {
    try {
      return Math.addExact(now, nanos);
    } catch (ArithmeticException e) {
      return InferenceRequest.NO_DEADLINE;
    }
  }

  /**
   * Takes a request out of the queue because its caller cancelled or went away; it will not run.
   * Does nothing if it is already running or done.
   */
  public void cancel(InferenceRequest request, GantryException reason) {
    if (withdraw(request) && request.claim()) {
      Outbox.collecting(() -> outcomes.fail(request, reason));
    }
  }

  /** Requests queued now, over all priority levels. */
  public int queued() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /** Requests whose batch is executing now. */
  public int executing() {
    return outcomes.executing();
  }

  /**
   * Why this version cannot serve now, or empty when it can: every instance is stuck in an
   * execution the watchdog gave up on.
   */
  public Optional<String> unavailableReason() {
    return watchdog.unavailableReason(workers.size());
  }

  /** Requests queued now at one priority level. */
  public int queued(int priorityLevel) {
    lock.lock();
    try {
      return queue.size(priorityLevel);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops taking requests, lets the queued and running ones finish, and closes the instances.
   * Requests still queued when {@code timeout} runs out are answered UNAVAILABLE. An instance
   * stuck in an execution is not waited for: its thread closes it when the execution returns.
   */
  public void shutdown(Duration timeout) {
    lock.lock();
    try {
      if (state == State.RUNNING) {
        state = State.DRAINING;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    awaitWorkers(deadline);
    List<InferenceRequest> abandoned;
    lock.lock();
    try {
      state = State.STOPPED;
      watchdog.stop();
      abandoned = queue.drain();
      expiries.cancel();
      delays.cancel();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    UnavailableException unloaded =
        new UnavailableException(label + " was unloaded before the request could run");
    Outbox.collecting(() -> outcomes.failUnclaimed(abandoned, unloaded));
    awaitWorkers(Long.MAX_VALUE);
    watchdog.cancelIdle(workers);
  }

  /** See {@link InstanceWorker#awaitEnd}. */
  private void awaitWorkers(long deadlineNanos) {
    try {
      for (InstanceWorker worker : workers) {
        worker.awaitEnd(deadlineNanos);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The next batch for a free worker, once the queue's plan dispatches one: waits while the
   * queue is empty or a partial batch is filling; null once the scheduler stops, or drains and
   * has nothing left.
   */
  Plan.Dispatch awaitBatch(InstanceWorker worker) {
    lock.lock();
    try {
      while (true) {
        if (worker.lent) {
          if (queue.size() > 0) {
            changed.signal();
          }
          instanceBack.await();
          continue;
        }
        if (state == State.STOPPED) {
          return null;
        }
        long now = ticker.nanoTime();
        Plan plan = queue.next(now, state == State.DRAINING);
        if (plan instanceof Plan.Dispatch dispatch) {
          worker.busy = true;
          dispatch.batch().forEach(this::forget);
          if (queue.size() > 0) {
            changed.signal();
          }
          return dispatch;
        } else if (plan instanceof Plan.WaitUntil wait) {
          fillingUntil = wait.nanos();
          try {
            changed.awaitNanos(wait.nanos() - now);
          } finally {
            fillingUntil = InferenceRequest.NO_DEADLINE;
          }
        } else if (state == State.DRAINING) {
          return null;
        } else {
          changed.await();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } finally {
      lock.unlock();
    }
  }

  /** A worker started executing a batch. */
  void started(Execution execution) {
    outcomes.started(execution);
  }

  /** A worker's execution produced each request's outputs: they are delivered. */
  void succeeded(Execution execution, List<Map<String, Tensor>> perRequest) {
    outcomes.settled(execution, true);
    List<InferenceRequest> batch = execution.batch();
    for (int i = 0; i < batch.size(); i++) {
      outcomes.respond(batch.get(i), perRequest.get(i));
    }
  }

  /**
   * A worker's execution failed because the backend refused one of its requests' inputs: it is
   * recorded as failed, and its requests are answered by the executions of each alone that follow.
   */
  void runningAlone(Execution execution) {
    outcomes.settled(execution, false);
  }

  /** A worker's execution failed, or returned what does not fit the batch: its requests fail. */
  void failed(Execution execution, GantryException error) {
    outcomes.settled(execution, false);
    for (InferenceRequest request : execution.batch()) {
      outcomes.fail(request, error);
    }
  }

  /**
   * The watchdog gave up on an execution: its requests fail, and when that leaves no instance to
   * serve, so do the queued ones.
   */
  private void abandoned(Execution execution, GantryException error) {
    arrival.overran();
    Outbox.collecting(() -> {
      failed(execution, error);
      Optional<String> unavailable = unavailableReason();
      if (unavailable.isPresent()) {
        failQueued(new UnavailableException(label + " is unavailable: " + unavailable.get()));
      }
    });
  }

  private boolean withdraw(InferenceRequest request) {
    lock.lock();
    try {
      if (!queue.remove(request)) {
        return false;
      }
      forget(request);
      changed.signal();
    } finally {
      lock.unlock();
    }
    return true;
  }

  /** Stops watching the instants of a request that left the queue; called under the lock. */
  private void forget(InferenceRequest request) {
    expiries.remove(request);
    delays.remove(request);
  }

  /** The expiry alarm rang: queued requests past their deadline leave unexecuted. */
  private void expireDue() {
    List<InferenceRequest> expired = new ArrayList<>();
    lock.lock();
    try {
      for (InferenceRequest request : expiries.due(ticker.nanoTime())) {
        if (queue.remove(request)) {
          delays.remove(request);
          expired.add(request);
        }
      }
    } finally {
      lock.unlock();
    }
    long now = ticker.nanoTime();
    Outbox.collecting(() -> {
      for (InferenceRequest request : expired) {
        if (request.claim()) {
          long waitedMicros = TimeUnit.NANOSECONDS.toMicros(now - request.enqueuedNanos());
          String why = request.expiresNanos() == request.callDeadlineNanos()
              ? "the call's deadline passed"
              : "its queue timeout passed";
          DeadlineExceededException error = new DeadlineExceededException(
              "request '" + request.id() + "' left the queue of " + label + " unexecuted: " + why
                  + " after " + waitedMicros + " us");
          outcomes.fail(request, error);
        }
      }
    });
  }

  /** The DELAY alarm rang: queued requests past their queue timeout move behind the others. */
  private void delayDue() {
    lock.lock();
    try {
      for (InferenceRequest request : delays.due(ticker.nanoTime())) {
        queue.delay(request);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Fails every queued request, when no instance is left to run them. */
  private void failQueued(GantryException error) {
    List<InferenceRequest> abandoned;
    lock.lock();
    try {
      abandoned = queue.drain();
      expiries.clear();
      delays.clear();
    } finally {
      lock.unlock();
    }
    outcomes.failUnclaimed(abandoned, error);
  }
}
