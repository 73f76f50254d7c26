package dev.gantry.server.scheduler;

import dev.gantry.server.affinity.AffinityException;
import dev.gantry.server.affinity.CpuSet;
import dev.gantry.server.affinity.ThreadAffinity;
import dev.gantry.server.error.DeadlineExceededException;
import dev.gantry.server.error.GantryException;
import dev.gantry.server.error.InternalException;
import dev.gantry.server.error.ResourceExhaustedException;
import dev.gantry.server.error.UnavailableException;
import dev.gantry.spi.ComputePhases;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Queues the requests of one model version and runs them on its instances, batching them as the
 * {@link BatchingPolicy} says.
 *
 * <p>Each instance has its own named thread that takes the next batch from the shared {@link
 * RequestQueue} whenever the instance is free. A queued request leaves the queue the moment its
 * deadline passes or its caller cancels, even while every instance is busy, so it never runs late
 * and never holds a place another request could use.
 *
 * <p>A failing backend fails only the batch it was executing: whatever the backend throws, or a
 * result that does not fit the batch, is reported to that batch's requests as INTERNAL, and the
 * instance takes the next batch. A watchdog bounds each execution: when one runs past the
 * execution timeout, its requests fail at once with INTERNAL and the instance counts as stuck
 * until the call returns (its late result is discarded); the other instances keep serving. While
 * every instance is stuck the version is unavailable: queued requests fail, new ones are refused
 * with the reason, and it serves again as soon as one stuck call returns.
 */
public final class ModelScheduler {
  private static final Logger log = LoggerFactory.getLogger(ModelScheduler.class);

  /**
   * The stack size of threads that call into a backend's native code, which can need far more
   * than the JVM's default 1 MiB (ONNX Runtime's environment set-up overflowed it here).
   */
  public static final long NATIVE_STACK_BYTES = 16L * 1024 * 1024;

  private enum State {
    RUNNING,
    DRAINING,
    STOPPED
  }

  private final String label;
  private final BatchingPolicy policy;
  private final List<ModelInstance> instances;
  private final ScheduledExecutorService timer;
  private final Ticker ticker;
  private final ExecutionListener listener;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final RequestQueue queue;
  /** The deadlines and REJECT timeouts of queued requests; guarded by the lock. */
  private final Alarm expiries;
  /** The DELAY timeouts of queued requests; guarded by the lock. */
  private final Alarm delays;
  private final ResponseOrder order;
  private final List<Worker> workers = new ArrayList<>();
  private final AtomicInteger executing = new AtomicInteger();
  /** When the instance holding a partial batch dispatches it at the latest; guarded by the lock. */
  private long fillingUntil = InferenceRequest.NO_DEADLINE;
  private final long executionTimeoutNanos;
  private final AtomicInteger stuck = new AtomicInteger();
  private State state = State.RUNNING;

  /** One instance and the thread that runs its executions. */
  private static final class Worker {
    final ModelInstance instance;
    final String name;
    /** The cores the worker's thread runs on; empty for wherever the system puts it. */
    final Optional<CpuSet> cores;
    Thread thread;
    /** Whether the watchdog gave up on the execution this worker is in. */
    volatile boolean stuck;
    /** The execution in progress, for the watchdog; null between executions. */
    volatile Execution running;
    /** Whether a batch was dispatched to this worker and it has not finished with it yet. */
    volatile boolean busy;
    /** The watchdog's next look at this worker. */
    volatile ScheduledFuture<?> watch;

    Worker(ModelInstance instance, String name, Optional<CpuSet> cores) {
      this.instance = instance;
      this.name = name;
      this.cores = cores;
    }
  }

  /**
   * One batch on one instance. Its requests are answered exactly once, by whichever settles it
   * first: the instance returning or the watchdog giving up.
   */
  private static final class Execution {
    final List<InferenceRequest> batch;
    final long items;
    final DispatchReason reason;
    final long[] queueNanos;
    final PhaseClock phases;
    private boolean settled;

    Execution(List<InferenceRequest> batch, long items, DispatchReason reason, long[] queueNanos,
        PhaseClock phases) {
      this.batch = batch;
      this.items = items;
      this.reason = reason;
      this.queueNanos = queueNanos;
      this.phases = phases;
    }
  }

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
    this.instances = List.copyOf(instances);
    this.timer = timer;
    this.ticker = ticker;
    this.listener = listener;
    this.executionTimeoutNanos = executionTimeout.toNanos();
    this.queue = new RequestQueue(policy);
    this.expiries = new Alarm(timer, this::expireDue, InferenceRequest::expiresNanos);
    this.delays = new Alarm(timer, this::delayDue, InferenceRequest::delayNanos);
    this.order = new ResponseOrder(policy.preserveOrdering());
    for (int i = 0; i < this.instances.size(); i++) {
      Worker worker = new Worker(
          this.instances.get(i), threadPrefix + "-instance-" + i, instanceCores.get(i));
      worker.thread = new Thread(null, () -> serve(worker), worker.name, NATIVE_STACK_BYTES);
      worker.thread.setDaemon(true);
      workers.add(worker);
    }
    workers.forEach(ModelScheduler::start);
    if (executionTimeoutNanos > 0) {
      workers.forEach(worker -> watchAfter(worker, executionTimeoutNanos));
    }
  }

  public BatchingPolicy policy() {
    return policy;
  }

  /**
   * Queues a request. Its outcome reaches its listener later, from another thread.
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
    lock.lock();
    try {
      if (state != State.RUNNING) {
        throw new UnavailableException(label + " is unloading and takes no new requests");
      }
      Optional<String> unavailable = unavailableReason();
      if (unavailable.isPresent()) {
        throw new UnavailableException(label + " is unavailable: " + unavailable.get());
      }
      if (!queue.offer(request, now, expires)) {
        int level = request.priorityLevel();
        throw new ResourceExhaustedException(
            "queue of " + label + " is full at priority level " + level + ": max_queue_size is "
                + queuePolicy.maxQueueSize());
      }
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
    } finally {
      lock.unlock();
    }
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
      Outbox.collecting(() -> complete(request, () -> request.listener().onError(reason)));
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
    return executing.get();
  }

  /**
   * Why this version cannot serve now, or empty when it can: every instance is stuck in an
   * execution the watchdog gave up on.
   */
  public Optional<String> unavailableReason() {
    int stuckNow = stuck.get();
    if (instances.isEmpty() || stuckNow < instances.size()) {
      return Optional.empty();
    }
    return Optional.of("every instance (" + stuckNow + ") is stuck in an execution that ran past "
        + "the execution timeout of " + TimeUnit.NANOSECONDS.toMillis(executionTimeoutNanos)
        + " ms; it serves again when one returns");
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
    joinWorkers(deadline);
    List<InferenceRequest> abandoned;
    lock.lock();
    try {
      state = State.STOPPED;
      abandoned = queue.drain();
      expiries.cancel();
      delays.cancel();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    UnavailableException unloaded =
        new UnavailableException(label + " was unloaded before the request could run");
    Outbox.collecting(() -> failAll(abandoned, unloaded));
    joinWorkers(Long.MAX_VALUE);
    for (Worker worker : workers) {
      ScheduledFuture<?> watch = worker.watch;
      if (watch != null && !worker.busy) {
        watch.cancel(false);
      }
    }
  }

  /**
   * Waits for each worker to end, until the deadline; with no deadline, until it ends or is stuck
   * in an execution the watchdog gave up on.
   */
  private void joinWorkers(long deadlineNanos) {
    for (Worker worker : workers) {
      try {
        if (deadlineNanos == Long.MAX_VALUE) {
          while (worker.thread.isAlive() && !worker.stuck) {
            worker.thread.join(50);
          }
        } else {
          long millis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
          if (millis > 0) {
            worker.thread.join(millis);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
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
          complete(request, () -> request.listener().onError(error));
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

  /**
   * Delivers an outcome on the listener's executor, in arrival order when the policy preserves
   * ordering. A delivery that throws is logged and affects no other request.
   */
  private void complete(InferenceRequest request, Runnable delivery) {
    order.complete(request.sequence(), () -> Outbox.post(request.listener().executor(), () -> {
      try {
        delivery.run();
      } catch (RuntimeException e) {
        log.error("{}: delivering the outcome of request '{}' failed", label, request.id(), e);
      }
    }));
  }

  /** A worker's life: execute batches until the scheduler stops, then close its instance. */
  private void serve(Worker worker) {
    try {
      Plan.Dispatch batch;
      while ((batch = awaitBatch(worker)) != null) {
        Plan.Dispatch dispatch = batch;
        try {
          Outbox.collecting(() -> execute(worker, dispatch));
        } finally {
          worker.busy = false;
        }
      }
    } finally {
      worker.instance.close();
    }
  }

  /**
   * Starts the worker's thread. A worker with cores is started while this thread is bound to them,
   * so that its thread runs there from its first instruction. The instance was loaded on those
   * cores a moment ago, so a refusal here means the system changed meanwhile; the thread then runs
   * where this one does, and an error says so.
   */
  private static void start(Worker worker) {
    if (worker.cores.isEmpty()) {
      worker.thread.start();
      return;
    }
    try {
      ThreadAffinity.callBound(worker.cores.get(), () -> {
        worker.thread.start();
        return null;
      });
      log.info("{} runs on cores {}", worker.name, worker.cores.get());
    } catch (AffinityException e) {
      worker.thread.start();
      log.error("{} runs where its loader runs, not on cores {}: {}", worker.name,
          worker.cores.get(), e.getMessage());
    }
  }

  private Plan.Dispatch awaitBatch(Worker worker) {
    lock.lock();
    try {
      while (true) {
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

  private void execute(Worker worker, Plan.Dispatch dispatch) {
    long dispatched = ticker.nanoTime();
    List<InferenceRequest> batch = new ArrayList<>(dispatch.batch().size());
    for (InferenceRequest request : dispatch.batch()) {
      if (request.claim()) {
        batch.add(request);
      }
    }
    if (batch.isEmpty()) {
      return;
    }
    executing.addAndGet(batch.size());
    long[] queueNanos = new long[batch.size()];
    long[] rows = new long[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      queueNanos[i] = dispatched - batch.get(i).enqueuedNanos();
      rows[i] = batch.get(i).batchSize();
    }
    Execution execution = new Execution(
        batch, dispatch.items(), dispatch.reason(), queueNanos, new PhaseClock(ticker, dispatched));
    worker.running = execution;
    Map<String, Tensor> outputs = null;
    Throwable failure = null;
    try {
      outputs = worker.instance.execute(
          joinInputs(batch), requestedOutputs(batch), execution.phases);
    } catch (Throwable e) {
      failure = e;
    }
    worker.running = null;
    synchronized (execution) {
      if (execution.settled) {
        returnedLate(worker, execution, failure);
        return;
      }
      execution.settled = true;
    }
    if (failure != null) {
      settle(execution, false);
      fail(batch, backendFailure(failure, batch.size()));
      return;
    }
    List<Map<String, Tensor>> perRequest;
    try {
      perRequest = split(batch, rows, outputs);
    } catch (RuntimeException e) {
      settle(execution, false);
      fail(batch, new InternalException(label + " returned a malformed result: " + e.getMessage()));
      return;
    }
    settle(execution, true);
    for (int i = 0; i < batch.size(); i++) {
      InferenceRequest request = batch.get(i);
      Map<String, Tensor> own = perRequest.get(i);
      complete(request, () -> request.listener().onResponse(own));
    }
  }

  /**
   * The watchdog's look at one worker: an execution past the timeout is given up on; otherwise
   * it looks again when the running execution would reach the timeout, or one timeout from now.
   * One timer per worker, not one per execution, so that a busy instance does not wake the timer
   * thread for every batch. It stops once the scheduler has stopped and the worker is not
   * executing: an execution still running when the drain ends is watched to its timeout, which
   * is what lets the shutdown stop waiting for it.
   */
  private void watch(Worker worker) {
    Execution execution = worker.running;
    long next = executionTimeoutNanos;
    if (execution != null) {
      long overdue = ticker.nanoTime() - (execution.phases.start + executionTimeoutNanos);
      if (overdue >= 0) {
        overran(worker, execution);
      } else {
        next = -overdue;
      }
    }
    watchAfter(worker, next);
  }

  private void watchAfter(Worker worker, long nanos) {
    lock.lock();
    try {
      if (state == State.STOPPED && !worker.busy) {
        return;
      }
      worker.watch = timer.schedule(() -> watch(worker), nanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("{}: the timer is shut down; {} is no longer watched", label, worker.name);
    } finally {
      lock.unlock();
    }
  }

  /** The error a batch's requests get when the backend's execute threw. */
  private GantryException backendFailure(Throwable failure, int requests) {
    return BackendFailures.of(label, failure, requests);
  }

  /**
   * The watchdog: the execution ran past its timeout. Its requests fail now and its instance
   * counts as stuck until the call returns; when that leaves no instance, the queue is failed too.
   */
  private void overran(Worker worker, Execution execution) {
    synchronized (execution) {
      if (execution.settled) {
        return;
      }
      execution.settled = true;
      worker.stuck = true;
      stuck.incrementAndGet();
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(executionTimeoutNanos);
    log.error("{}: an execution of {} requests on {} ran past the execution timeout of {} ms; its "
        + "requests fail and the instance takes no work until the call returns", label,
        execution.batch.size(), worker.name, millis);
    Outbox.collecting(() -> {
      fail(execution.batch, new InternalException(label + " did not finish executing within the "
          + "execution timeout of " + millis + " ms; the requests of this batch are abandoned"));
      settle(execution, false);
      Optional<String> unavailable = unavailableReason();
      if (unavailable.isPresent()) {
        failQueued(new UnavailableException(label + " is unavailable: " + unavailable.get()));
      }
    });
  }

  /** An execution the watchdog gave up on has returned: its instance serves again. */
  private void returnedLate(Worker worker, Execution execution, Throwable failure) {
    worker.stuck = false;
    stuck.decrementAndGet();
    long millis = TimeUnit.NANOSECONDS.toMillis(ticker.nanoTime() - execution.phases.start);
    log.warn("{}: the execution on {} that overran its timeout returned after {} ms{}; its result "
        + "is discarded and the instance serves again", label, worker.name, millis,
        failure == null ? "" : " with " + failure);
  }

  /** Accounts for a settled execution: no longer executing, and reported to the listener. */
  private void settle(Execution execution, boolean succeeded) {
    executing.addAndGet(-execution.batch.size());
    long done = ticker.nanoTime();
    listener.onExecution(
        new ExecutionRecord(
            execution.batch.size(),
            execution.items,
            execution.reason,
            execution.queueNanos,
            execution.phases.inputNanos(),
            execution.phases.inferNanos(),
            execution.phases.outputNanos(done),
            succeeded));
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
    failAll(abandoned, error);
  }

  /** Fails requests taken out of the queue, each unless something else already claimed it. */
  private void failAll(List<InferenceRequest> abandoned, GantryException error) {
    for (InferenceRequest request : abandoned) {
      if (request.claim()) {
        complete(request, () -> request.listener().onError(error));
      }
    }
  }

  private static Map<String, Tensor> joinInputs(List<InferenceRequest> batch) {
    if (batch.size() == 1) {
      return batch.get(0).inputs();
    }
    Map<String, Tensor> joined = new HashMap<>();
    for (String name : batch.get(0).inputs().keySet()) {
      List<Tensor> parts = new ArrayList<>(batch.size());
      for (InferenceRequest request : batch) {
        parts.add(request.inputs().get(name));
      }
      joined.put(name, Batches.concat(parts));
    }
    return joined;
  }

  private static Set<String> requestedOutputs(List<InferenceRequest> batch) {
    if (batch.size() == 1) {
      return batch.get(0).outputs();
    }
    Set<String> union = new LinkedHashSet<>();
    for (InferenceRequest request : batch) {
      union.addAll(request.outputs());
    }
    return union;
  }

  /**
   * Each request's own outputs out of the batch's.
   *
   * @throws IllegalStateException when the backend's outputs do not fit the batch
   */
  private static List<Map<String, Tensor>> split(
      List<InferenceRequest> batch, long[] rows, Map<String, Tensor> outputs) {
    if (outputs == null) {
      throw new IllegalStateException("the backend returned no outputs");
    }
    List<Map<String, Tensor>> perRequest = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      perRequest.add(new HashMap<>());
    }
    for (String name : requestedOutputs(batch)) {
      Tensor output = outputs.get(name);
      if (output == null) {
        throw new IllegalStateException("the backend returned no output '" + name + "'");
      }
      Batches.checkBytes(name, output);
      List<Tensor> pieces = Batches.split(name, output, rows);
      for (int i = 0; i < batch.size(); i++) {
        if (batch.get(i).outputs().contains(name)) {
          perRequest.get(i).put(name, pieces.get(i));
        }
      }
    }
    return perRequest;
  }

  private void fail(List<InferenceRequest> batch, GantryException error) {
    for (InferenceRequest request : batch) {
      complete(request, () -> request.listener().onError(error));
    }
  }

  /** Records the instants the backend marks, to split an execution into its three phases. */
  private static final class PhaseClock implements ComputePhases {
    private final Ticker ticker;
    final long start;
    private volatile long inputsReady;
    private volatile long inferenceDone;

    PhaseClock(Ticker ticker, long start) {
      this.ticker = ticker;
      this.start = start;
    }

    @Override
    public void inputsReady() {
      inputsReady = ticker.nanoTime();
    }

    @Override
    public void inferenceDone() {
      inferenceDone = ticker.nanoTime();
    }

    long inputNanos() {
      return inputsReady == 0 ? 0 : inputsReady - start;
    }

    long inferNanos() {
      return inferenceDone == 0 || inputsReady == 0 ? 0 : inferenceDone - inputsReady;
    }

    long outputNanos(long end) {
      return inferenceDone == 0 ? 0 : end - inferenceDone;
    }
  }
}
