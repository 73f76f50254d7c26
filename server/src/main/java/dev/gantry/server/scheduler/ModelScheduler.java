package dev.gantry.server.scheduler;

import dev.gantry.server.error.DeadlineExceededException;
import dev.gantry.server.error.GantryException;
import dev.gantry.server.error.InternalException;
import dev.gantry.server.error.ResourceExhaustedException;
import dev.gantry.server.error.UnavailableException;
import dev.gantry.spi.ComputePhases;
import dev.gantry.spi.InferenceException;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
  private final Map<InferenceRequest, Timers> timers = new ConcurrentHashMap<>();
  private final ResponseOrder order;
  private final List<Thread> workers = new ArrayList<>();
  private final AtomicInteger executing = new AtomicInteger();
  private State state = State.RUNNING;

  /**
   * @param label names the model version in thread names and messages, e.g. {@code model 'simple'
   *     version 1}
   * @param threadPrefix the prefix of the instance threads' names
   * @param timer runs deadline expiries; shared by all schedulers
   */
  public ModelScheduler(
      String label,
      String threadPrefix,
      BatchingPolicy policy,
      List<ModelInstance> instances,
      ScheduledExecutorService timer,
      Ticker ticker,
      ExecutionListener listener) {
    this.label = label;
    this.policy = policy;
    this.instances = List.copyOf(instances);
    this.timer = timer;
    this.ticker = ticker;
    this.listener = listener;
    this.queue = new RequestQueue(policy);
    this.order = new ResponseOrder(policy.preserveOrdering());
    for (int i = 0; i < this.instances.size(); i++) {
      ModelInstance instance = this.instances.get(i);
      Thread worker = new Thread(
          null, () -> serve(instance), threadPrefix + "-instance-" + i, NATIVE_STACK_BYTES);
      worker.setDaemon(true);
      workers.add(worker);
    }
    workers.forEach(Thread::start);
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
   * @throws UnavailableException if the version is unloading
   * @throws ResourceExhaustedException if the request's priority level is full
   * @throws DeadlineExceededException if its deadline has already passed
   */
  public void submit(InferenceRequest request) {
    long now = ticker.nanoTime();
    QueuePolicy queuePolicy = policy.level(request.priorityLevel());
    long timeout = queuePolicy.effectiveTimeoutNanos(request.timeoutNanos());
    long expires = request.callDeadlineNanos();
    long delayAt = InferenceRequest.NO_DEADLINE;
    if (timeout > 0 && queuePolicy.timeoutAction() == QueuePolicy.TimeoutAction.REJECT) {
      expires = Math.min(expires, now + timeout);
    } else if (timeout > 0) {
      delayAt = now + timeout;
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
      if (!queue.offer(request, now, expires)) {
        int level = request.priorityLevel();
        throw new ResourceExhaustedException(
            "queue of " + label + " is full at priority level " + level + ": max_queue_size is "
                + queuePolicy.maxQueueSize());
      }
      changed.signal();
    } finally {
      lock.unlock();
    }
    ScheduledFuture<?> expiry = expires == InferenceRequest.NO_DEADLINE
        ? null
        : timer.schedule(() -> expire(request), expires - now, TimeUnit.NANOSECONDS);
    ScheduledFuture<?> delay = delayAt == InferenceRequest.NO_DEADLINE
        ? null
        : timer.schedule(() -> delay(request), delayAt - now, TimeUnit.NANOSECONDS);
    if (expiry != null || delay != null) {
      timers.put(request, new Timers(expiry, delay));
    }
  }

  /**
   * Takes a request out of the queue because its caller cancelled or went away; it will not run.
   * Does nothing if it is already running or done.
   */
  public void cancel(InferenceRequest request, GantryException reason) {
    if (withdraw(request) && request.claim()) {
      complete(request, () -> request.listener().onError(reason));
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
   * Requests still queued when {@code timeout} runs out are answered UNAVAILABLE.
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
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    for (InferenceRequest request : abandoned) {
      cancelTimers(request);
      if (request.claim()) {
        complete(request, () -> request.listener().onError(
            new UnavailableException(label + " was unloaded before the request could run")));
      }
    }
    joinWorkers(Long.MAX_VALUE);
    for (ModelInstance instance : instances) {
      instance.close();
    }
  }

  private void joinWorkers(long deadlineNanos) {
    for (Thread worker : workers) {
      try {
        if (deadlineNanos == Long.MAX_VALUE) {
          worker.join();
        } else {
          long millis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
          if (millis > 0) {
            worker.join(millis);
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
      changed.signal();
    } finally {
      lock.unlock();
    }
    cancelTimers(request);
    return true;
  }

  private void expire(InferenceRequest request) {
    boolean removed;
    lock.lock();
    try {
      removed = queue.remove(request);
    } finally {
      lock.unlock();
    }
    cancelTimers(request);
    if (removed && request.claim()) {
      long waitedMicros =
          TimeUnit.NANOSECONDS.toMicros(ticker.nanoTime() - request.enqueuedNanos());
      String why = request.expiresNanos() == request.callDeadlineNanos()
          ? "the call's deadline passed"
          : "its queue timeout passed";
      complete(request, () -> request.listener().onError(new DeadlineExceededException(
          "request '" + request.id() + "' left the queue of " + label + " unexecuted: " + why
              + " after " + waitedMicros + " us")));
    }
  }

  private void delay(InferenceRequest request) {
    lock.lock();
    try {
      queue.delay(request);
    } finally {
      lock.unlock();
    }
  }

  private void cancelTimers(InferenceRequest request) {
    Timers pending = timers.remove(request);
    if (pending != null) {
      pending.cancel();
    }
  }

  /** Delivers an outcome, in arrival order when the policy preserves ordering. */
  private void complete(InferenceRequest request, Runnable delivery) {
    order.complete(request.sequence(), delivery);
  }

  private void serve(ModelInstance instance) {
    Plan.Dispatch batch;
    while ((batch = awaitBatch()) != null) {
      execute(instance, batch);
    }
  }

  private Plan.Dispatch awaitBatch() {
    lock.lock();
    try {
      while (true) {
        if (state == State.STOPPED) {
          return null;
        }
        long now = ticker.nanoTime();
        Plan plan = queue.next(now, state == State.DRAINING);
        if (plan instanceof Plan.Dispatch dispatch) {
          if (queue.size() > 0) {
            changed.signal();
          }
          return dispatch;
        } else if (plan instanceof Plan.WaitUntil wait) {
          changed.awaitNanos(wait.nanos() - now);
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

  private void execute(ModelInstance instance, Plan.Dispatch dispatch) {
    long dispatched = ticker.nanoTime();
    List<InferenceRequest> batch = new ArrayList<>(dispatch.batch().size());
    for (InferenceRequest request : dispatch.batch()) {
      cancelTimers(request);
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
    PhaseClock phases = new PhaseClock(ticker, dispatched);
    boolean succeeded = false;
    try {
      Map<String, Tensor> outputs =
          instance.execute(joinInputs(batch), requestedOutputs(batch), phases);
      deliver(batch, rows, outputs);
      succeeded = true;
    } catch (InferenceException e) {
      fail(batch, new InternalException(label + " failed to execute: " + e.getMessage()));
    } catch (IllegalStateException e) {
      fail(batch, new InternalException(label + " returned a malformed result: " + e.getMessage()));
    } catch (RuntimeException e) {
      log.error("{} failed to execute a batch of {} requests", label, batch.size(), e);
      fail(batch, new InternalException(label + " failed to execute: " + e));
    }
    executing.addAndGet(-batch.size());
    long done = ticker.nanoTime();
    listener.onExecution(
        new ExecutionRecord(
            batch.size(),
            dispatch.items(),
            dispatch.reason(),
            queueNanos,
            phases.inputNanos(),
            phases.inferNanos(),
            phases.outputNanos(done),
            succeeded));
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

  private void deliver(List<InferenceRequest> batch, long[] rows, Map<String, Tensor> outputs) {
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
    for (int i = 0; i < batch.size(); i++) {
      InferenceRequest request = batch.get(i);
      Map<String, Tensor> own = perRequest.get(i);
      complete(request, () -> request.listener().onResponse(own));
    }
  }

  private void fail(List<InferenceRequest> batch, GantryException error) {
    for (InferenceRequest request : batch) {
      complete(request, () -> request.listener().onError(error));
    }
  }

  /** The timers of one queued request: its expiry and its DELAY demotion, either may be absent. */
  private record Timers(ScheduledFuture<?> expiry, ScheduledFuture<?> delay) {
    void cancel() {
      if (expiry != null) {
        expiry.cancel(false);
      }
      if (delay != null) {
        delay.cancel(false);
      }
    }
  }

  /** Records the instants the backend marks, to split an execution into its three phases. */
  private static final class PhaseClock implements ComputePhases {
    private final Ticker ticker;
    private final long start;
    private long inputsReady;
    private long inferenceDone;

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
