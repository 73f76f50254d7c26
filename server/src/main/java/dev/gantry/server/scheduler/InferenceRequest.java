package dev.gantry.server.scheduler;

import dev.gantry.spi.Tensor;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A validated inference request on its way through the scheduler: inputs that already fit the
 * model, the outputs to return, its place in the priority order, its deadline, and where the
 * result goes.
 *
 * <p>The request completes exactly once: whichever of execution, deadline expiry or cancellation
 * claims it first ({@link #claimToRun()} or {@link #claim()}) delivers the outcome. Its inputs are
 * released once too, as soon as nothing will read them again: when a claim that does not run it
 * succeeds, or when the backend returns from the execution that ran it.
 */
public final class InferenceRequest {
  /** Deadline of a request that has none. */
  public static final long NO_DEADLINE = Long.MAX_VALUE;

  private final String id;
  private final Map<String, Tensor> inputs;
  private final Set<String> outputs;
  private final long batchSize;
  private final int priorityLevel;
  private final long callDeadlineNanos;
  private final long timeoutNanos;
  private final ResponseListener listener;
  private final long[] shapeKey;
  private final AtomicBoolean claimed = new AtomicBoolean();
  private final AtomicBoolean inputsReleased = new AtomicBoolean();
  private long enqueuedNanos;
  private long sequence;
  private long expiresNanos = NO_DEADLINE;
  private long delayNanos = NO_DEADLINE;

  /**
   * @param id the caller's request id, echoed in the response
   * @param inputs every model input, in the model's order, each with the batch dimension first
   *     when the model batches; the request keeps this map, which nobody may change afterwards
   * @param outputs the outputs to return
   * @param batchSize the number of batch items this request carries (1 when the model does not
   *     batch)
   * @param priorityLevel 1 (highest) to the model's number of levels
   * @param callDeadlineNanos the {@link System#nanoTime()} instant after which the caller no
   *     longer waits (its gRPC deadline), or {@link #NO_DEADLINE}
   * @param timeoutNanos the queue timeout the request asks for, or 0 for its level's default
   * @param listener where the outcome goes
   */
  public InferenceRequest(
      String id,
      Map<String, Tensor> inputs,
      Collection<String> outputs,
      long batchSize,
      int priorityLevel,
      long callDeadlineNanos,
      long timeoutNanos,
      ResponseListener listener) {
    this.id = id;
    this.inputs = Collections.unmodifiableMap(inputs);
    this.outputs = Set.copyOf(outputs);
    this.batchSize = batchSize;
    this.priorityLevel = priorityLevel;
    this.callDeadlineNanos = callDeadlineNanos;
    this.timeoutNanos = timeoutNanos;
    this.listener = listener;
    this.shapeKey = shapeKeyOf(inputs);
  }

  public String id() {
    return id;
  }

  public Map<String, Tensor> inputs() {
    return inputs;
  }

  public Set<String> outputs() {
    return outputs;
  }

  public long batchSize() {
    return batchSize;
  }

  public int priorityLevel() {
    return priorityLevel;
  }

  public long callDeadlineNanos() {
    return callDeadlineNanos;
  }

  public long timeoutNanos() {
    return timeoutNanos;
  }

  /** The instant the scheduler drops the request from its queue: deadline or REJECT timeout. */
  long expiresNanos() {
    return expiresNanos;
  }

  /** The instant a DELAY queue timeout moves the request behind the timely ones, if it has one. */
  long delayNanos() {
    return delayNanos;
  }

  void delayAt(long nanos) {
    this.delayNanos = nanos;
  }

  public ResponseListener listener() {
    return listener;
  }

  /**
   * Whether this request may share a batch with another: the same inputs (optional ones may be
   * absent), with the same dims after the first.
   */
  boolean batchesWith(InferenceRequest other) {
    return Arrays.equals(shapeKey, other.shapeKey) && inputs.keySet().equals(other.inputs.keySet());
  }

  /**
   * Takes the right to complete this request without running it; true for exactly one caller.
   * The inputs are released at once, since nothing reads them again.
   */
  public boolean claim() {
    if (!claimed.compareAndSet(false, true)) {
      return false;
    }
    releaseInputs();
    return true;
  }

  /**
   * Takes the right to run this request and complete it; true for exactly one caller, who
   * {@linkplain #releaseInputs() releases its inputs} once the backend has returned.
   */
  boolean claimToRun() {
    return claimed.compareAndSet(false, true);
  }

  /** Tells the listener, the first time only, that the scheduler no longer reads the inputs. */
  void releaseInputs() {
    if (inputsReleased.compareAndSet(false, true)) {
      listener.inputsReleased();
    }
  }

  public boolean isClaimed() {
    return claimed.get();
  }

  long enqueuedNanos() {
    return enqueuedNanos;
  }

  long sequence() {
    return sequence;
  }

  void markEnqueued(long nanos, long sequence, long expiresNanos) {
    this.enqueuedNanos = nanos;
    this.sequence = sequence;
    this.expiresNanos = expiresNanos;
  }

  /** Every input's rank followed by its dims after the first, one input after the other. */
  private static long[] shapeKeyOf(Map<String, Tensor> inputs) {
    int length = 0;
    for (Tensor tensor : inputs.values()) {
      length += 1 + Math.max(0, tensor.rank() - 1);
    }
    long[] key = new long[length];
    int at = 0;
    for (Tensor tensor : inputs.values()) {
      key[at++] = tensor.rank();
      for (int d = 1; d < tensor.rank(); d++) {
        key[at++] = tensor.dim(d);
      }
    }
    return key;
  }
}
