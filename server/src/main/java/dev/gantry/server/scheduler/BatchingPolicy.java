package dev.gantry.server.scheduler;

import java.util.Arrays;
import java.util.List;

/**
 * How one model version's requests are queued and grouped into executions, from the model
 * configuration's {@code max_batch_size} and {@code dynamic_batching}.
 *
 * @param maxBatchSize the most batch items one execution takes; 0 when the model does not batch
 * @param dynamicBatching whether queued requests are combined into one execution
 * @param preferredBatchSizes batch sizes to dispatch at once when they can be formed, ascending
 * @param maxQueueDelayNanos how long the oldest request may wait for a batch to fill
 * @param preserveOrdering whether responses leave in the order requests arrived
 * @param defaultPriorityLevel the level of a request that names none, 1-based
 * @param levels the queue policy of each priority level; level {@code n} is at index {@code n-1}
 * @param executeOnArrivalNanos for a model without dynamic batching, the longest recent execution
 *     that still lets a request run on the thread it arrived on when an instance is idle ({@link
 *     ArrivalExecution}); 0 never does
 */
public record BatchingPolicy(
    int maxBatchSize,
    boolean dynamicBatching,
    int[] preferredBatchSizes,
    long maxQueueDelayNanos,
    boolean preserveOrdering,
    int defaultPriorityLevel,
    List<QueuePolicy> levels,
    long executeOnArrivalNanos) {

  public BatchingPolicy {
    preferredBatchSizes = preferredBatchSizes.clone();
    Arrays.sort(preferredBatchSizes);
    levels = List.copyOf(levels);
    if (executeOnArrivalNanos > 0 && (dynamicBatching || preserveOrdering)) {
      throw new IllegalArgumentException(
          "execution on arrival is for models without dynamic batching or ordering");
    }
  }

  @Override
  public int[] preferredBatchSizes() {
    return preferredBatchSizes.clone();
  }

  public boolean hasPreferredBatchSizes() {
    return preferredBatchSizes.length > 0;
  }

  public int priorityLevels() {
    return levels.size();
  }

  public QueuePolicy level(int priorityLevel) {
    return levels.get(priorityLevel - 1);
  }

  /** Whether the batch size {@code items} is one of the preferred ones. */
  boolean isPreferred(long items) {
    return Arrays.binarySearch(preferredBatchSizes, (int) Math.min(items, Integer.MAX_VALUE)) >= 0;
  }

  /** One request at a time with a single bounded queue; for models that do not batch. */
  public static BatchingPolicy unbatched(int maxQueueSize) {
    return new BatchingPolicy(
        0,
        false,
        new int[0],
        0,
        false,
        1,
        List.of(new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, 0, false, maxQueueSize)),
        0);
  }
}
