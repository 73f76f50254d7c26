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
  private final Map<InferenceRequest, ScheduledFuture<?>> expiries = new ConcurrentHashMap<>();
  private final List<Thread> workers = new ArrayList<>();
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
    for (int i = 0; i < this.instances.size(); i++) {
      ModelInstance instance = this.instances.get(i);
      Thread worker = new Thread(() -> serve(instance), threadPrefix + "-instance-" + i);
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
   * @throws UnavailableException if the version is unloading
   * @throws ResourceExhaustedException if the request's priority level is full
   * @throws DeadlineExceededException if its deadline has already passed
   */
  public void submit(InferenceRequest request) {
    long now = ticker.nanoTime();
    if (request.deadlineNanos() != InferenceRequest.NO_DEADLINE
        && request.deadlineNanos() - now <= 0) {
      throw new DeadlineExceededException(
          "deadline passed before request '" + request.id() + "' reached the queue of " + label);
    }
    lock.lock();
    try {
      if (state != State.RUNNING) {
        throw new UnavailableException(label + " is unloading and takes no new requests");
      }
      if (!queue.offer(request, now)) {
        int level = request.priorityLevel();
        throw new ResourceExhaustedException(
            "queue of " + label + " is full at priority level " + level + ": max_queue_size is "
                + policy.level(level).maxQueueSize());
      }
      changed.signal();
    } finally {
      lock.unlock();
    }
    if (request.deadlineNanos() != InferenceRequest.NO_DEADLINE) {
      expiries.put(
          request,
          timer.schedule(
              () -> expire(request), request.deadlineNanos() - now, TimeUnit.NANOSECONDS));
    }
  }

  /**
   * Takes a request out of the queue because its caller cancelled or went away; it will not run.
   * Does nothing if it is already running or done.
   */
  public void cancel(InferenceRequest request, GantryException reason) {
    if (withdraw(request) && request.claim()) {
      request.listener().onError(reason);
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
      cancelExpiry(request);
      if (request.claim()) {
        request.listener().onError(
            new UnavailableException(label + " was unloaded before the request could run"));
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
    cancelExpiry(request);
    return true;
  }

  private void expire(InferenceRequest request) {
    expiries.remove(request);
    boolean removed;
    lock.lock();
    try {
      removed = queue.remove(request);
    } finally {
      lock.unlock();
    }
    if (removed && request.claim()) {
      request.listener().onError(
          new DeadlineExceededException(
              "request '" + request.id() + "' timed out after "
                  + TimeUnit.NANOSECONDS.toMicros(ticker.nanoTime() - request.enqueuedNanos())
                  + " us in the queue of " + label));
    }
  }

  private void cancelExpiry(InferenceRequest request) {
    ScheduledFuture<?> expiry = expiries.remove(request);
    if (expiry != null) {
      expiry.cancel(false);
    }
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
      cancelExpiry(request);
      if (request.claim()) {
        batch.add(request);
      }
    }
    if (batch.isEmpty()) {
      return;
    }
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
      batch.get(i).listener().onResponse(perRequest.get(i));
    }
  }

  private static void fail(List<InferenceRequest> batch, GantryException error) {
    for (InferenceRequest request : batch) {
      request.listener().onError(error);
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
