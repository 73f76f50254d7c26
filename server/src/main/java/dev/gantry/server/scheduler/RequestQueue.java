package dev.gantry.server.scheduler;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The queued requests of one model version, and the batching rules that decide when and what to
 * dispatch. Each priority level has two FIFOs: requests within their queue timeout, and behind
 * them the requests whose timeout passed under the DELAY action.
 *
 * <p>Pure bookkeeping with time passed in, so that batch formation can be tested with an exact
 * clock; the {@link ModelScheduler} guards it with its lock.
 */
final class RequestQueue {
  private final BatchingPolicy policy;
  private final List<ArrayDeque<InferenceRequest>> timely = new ArrayList<>();
  private final List<ArrayDeque<InferenceRequest>> delayed = new ArrayList<>();
  private final List<ArrayDeque<InferenceRequest>> servingOrder = new ArrayList<>();
  private long nextSequence;
  private int size;
  private long items;

  RequestQueue(BatchingPolicy policy) {
    this.policy = policy;
    for (int i = 0; i < policy.priorityLevels(); i++) {
      timely.add(new ArrayDeque<>());
      delayed.add(new ArrayDeque<>());
      servingOrder.add(timely.get(i));
      servingOrder.add(delayed.get(i));
    }
  }

  /**
   * Queues a request at the back of its level; false when that level is full.
   *
   * @param expiresNanos when the request must leave the queue unexecuted
   */
  boolean offer(InferenceRequest request, long nowNanos, long expiresNanos) {
    int index = request.priorityLevel() - 1;
    if (size(request.priorityLevel()) >= policy.level(request.priorityLevel()).maxQueueSize()) {
      return false;
    }
    request.markEnqueued(nowNanos, nextSequence++, expiresNanos);
    timely.get(index).addLast(request);
    size++;
    items += request.batchSize();
    return true;
  }

  /** Takes a request out wherever it is; false if it was not queued. */
  boolean remove(InferenceRequest request) {
    int index = request.priorityLevel() - 1;
    boolean removed = timely.get(index).remove(request) || delayed.get(index).remove(request);
    if (removed) {
      size--;
      items -= request.batchSize();
    }
    return removed;
  }

  /**
   * Moves a request whose queue timeout passed behind every request of its level that is still
   * within its timeout: the DELAY timeout action.
   *
   * @return false if it was not waiting among the timely requests
   */
  boolean delay(InferenceRequest request) {
    int index = request.priorityLevel() - 1;
    if (!timely.get(index).remove(request)) {
      return false;
    }
    delayed.get(index).addLast(request);
    return true;
  }

  int size() {
    return size;
  }

  /** Batch items queued, over all requests. */
  long items() {
    return items;
  }

  int size(int priorityLevel) {
    return timely.get(priorityLevel - 1).size() + delayed.get(priorityLevel - 1).size();
  }

  /** Removes and returns every queued request, highest priority first. */
  List<InferenceRequest> drain() {
    List<InferenceRequest> all = new ArrayList<>(size);
    for (ArrayDeque<InferenceRequest> fifo : servingOrder) {
      all.addAll(fifo);
      fifo.clear();
    }
    size = 0;
    items = 0;
    return all;
  }

  /**
   * Decides what an idle instance does now: dispatch a batch (taking it off the queue), wait until
   * a given instant for the batch to fill, or wait for a request.
   *
   * @param draining true when the model is unloading: whatever is queued goes now
   */
  Plan next(long nowNanos, boolean draining) {
    InferenceRequest oldest = head();
    if (oldest == null) {
      return new Plan.Idle();
    }
    if (!policy.dynamicBatching()) {
      remove(oldest);
      return new Plan.Dispatch(
          List.of(oldest), oldest.batchSize(), draining ? DispatchReason.DRAIN : DispatchReason.UNBATCHED);
    }
    List<InferenceRequest> batch = new ArrayList<>();
    long items = 0;
    long preferredItems = 0;
    int preferredCount = 0;
    long earliestDeadline = InferenceRequest.NO_DEADLINE;
    for (ArrayDeque<InferenceRequest> fifo : servingOrder) {
      for (InferenceRequest request : fifo) {
        if (items == policy.maxBatchSize()) {
          break;
        }
        if (!request.batchesWith(oldest) || items + request.batchSize() > policy.maxBatchSize()) {
          continue;
        }
        batch.add(request);
        items += request.batchSize();
        earliestDeadline = Math.min(earliestDeadline, request.expiresNanos());
        if (policy.isPreferred(items)) {
          preferredItems = items;
          preferredCount = batch.size();
        }
      }
    }
    DispatchReason reason;
    if (items == policy.maxBatchSize()) {
      reason = DispatchReason.FULL;
    } else if (preferredCount > 0) {
      batch = new ArrayList<>(batch.subList(0, preferredCount));
      items = preferredItems;
      reason = DispatchReason.PREFERRED;
    } else if (draining) {
      reason = DispatchReason.DRAIN;
    } else {
      long delayEnds = oldest.enqueuedNanos() + policy.maxQueueDelayNanos();
      if (nowNanos - delayEnds >= 0) {
        reason = DispatchReason.DELAY;
      } else if (earliestDeadline != InferenceRequest.NO_DEADLINE
          && earliestDeadline - delayEnds <= 0) {
        reason = DispatchReason.DEADLINE;
      } else {
        return new Plan.WaitUntil(delayEnds);
      }
    }
    for (InferenceRequest request : batch) {
      remove(request);
    }
    return new Plan.Dispatch(batch, items, reason);
  }

  private InferenceRequest head() {
    for (ArrayDeque<InferenceRequest> fifo : servingOrder) {
      InferenceRequest first = fifo.peekFirst();
      if (first != null) {
        return first;
      }
    }
    return null;
  }
}
