package dev.gantry.server.config;

import dev.gantry.proto.ModelConfig;
import dev.gantry.proto.ModelDynamicBatching;
import dev.gantry.proto.ModelQueuePolicy;
import dev.gantry.server.scheduler.BatchingPolicy;
import dev.gantry.server.scheduler.QueuePolicy;
import dev.gantry.spi.ModelLoadException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Turns a configuration's {@code max_batch_size} and {@code dynamic_batching} into the scheduler's
 * {@link BatchingPolicy}, with Triton's defaults and meanings.
 *
 * <p>Triton lets {@code max_queue_size} 0 mean unbounded; Gantry bounds every queue, so 0 means
 * the server's {@code --max-queue-size}.
 */
public final class BatchingPolicies {
  /** The most priority levels a model may have; each is a queue of its own. */
  public static final int MAX_PRIORITY_LEVELS = 1024;
  /**
   * The model parameter that lets a model without dynamic batching run a request on the thread it
   * arrived on, in microseconds: the longest recent execution that still allows it.
   */
  public static final String EXECUTE_ON_ARRIVAL_PARAMETER = "execute_on_arrival_us";
  /** The largest bound accepted: beyond it an event loop would be held too long to be worth it. */
  static final long MAX_EXECUTE_ON_ARRIVAL_MICROS = 10_000;

  private BatchingPolicies() {}

  /**
   * @param defaultMaxQueueSize the bound of a queue whose policy sets none
   * @throws ModelLoadException when the priority settings contradict each other
   */
  public static BatchingPolicy from(ModelConfig config, int defaultMaxQueueSize)
      throws ModelLoadException {
    ModelDynamicBatching batching = config.getDynamicBatching();
    long declaredLevels = batching.getPriorityLevels();
    if (Long.compareUnsigned(declaredLevels, MAX_PRIORITY_LEVELS) > 0) {
      throw new ModelLoadException("dynamic_batching.priority_levels must be at most "
          + MAX_PRIORITY_LEVELS + " (each level is a queue), got "
          + Long.toUnsignedString(declaredLevels));
    }
    int levels = (int) Math.max(1, declaredLevels);
    long defaultLevel = batching.getDefaultPriorityLevel();
    if (batching.getPriorityLevels() > 0 && (defaultLevel < 1 || defaultLevel > levels)) {
      throw new ModelLoadException(
          "dynamic_batching.default_priority_level must be between 1 and priority_levels "
              + levels + ", got " + defaultLevel);
    }
    for (long level : batching.getPriorityQueuePolicyMap().keySet()) {
      if (level < 1 || level > levels) {
        throw new ModelLoadException(
            "dynamic_batching.priority_queue_policy has level " + level
                + ", outside 1 to priority_levels " + levels);
      }
    }
    List<QueuePolicy> policies = new ArrayList<>(levels);
    for (long level = 1; level <= levels; level++) {
      ModelQueuePolicy queue =
          batching.getPriorityQueuePolicyOrDefault(level, batching.getDefaultQueuePolicy());
      policies.add(
          new QueuePolicy(
              queue.getTimeoutAction() == ModelQueuePolicy.TimeoutAction.DELAY
                  ? QueuePolicy.TimeoutAction.DELAY
                  : QueuePolicy.TimeoutAction.REJECT,
              TimeUnit.MICROSECONDS.toNanos(queue.getDefaultTimeoutMicroseconds()),
              queue.getAllowTimeoutOverride(),
              queue.getMaxQueueSize() > 0 ? queue.getMaxQueueSize() : defaultMaxQueueSize));
    }
    return new BatchingPolicy(
        config.getMaxBatchSize(),
        config.getMaxBatchSize() > 0 && config.hasDynamicBatching(),
        batching.getPreferredBatchSizeList().stream().mapToInt(Integer::intValue).toArray(),
        TimeUnit.MICROSECONDS.toNanos(batching.getMaxQueueDelayMicroseconds()),
        batching.getPreserveOrdering(),
        batching.getPriorityLevels() > 0 ? (int) defaultLevel : 1,
        policies,
        TimeUnit.MICROSECONDS.toNanos(executeOnArrivalMicros(config)));
  }

  /** The {@value #EXECUTE_ON_ARRIVAL_PARAMETER} parameter, checked; 0 when absent. */
  private static long executeOnArrivalMicros(ModelConfig config) throws ModelLoadException {
    long micros = ModelParameters.wholeNumber(config, EXECUTE_ON_ARRIVAL_PARAMETER,
        MAX_EXECUTE_ON_ARRIVAL_MICROS, "microseconds, 0 (off) to " + MAX_EXECUTE_ON_ARRIVAL_MICROS)
        .orElse(0);
    if (micros > 0 && config.hasDynamicBatching()) {
      throw new ModelLoadException("parameter " + EXECUTE_ON_ARRIVAL_PARAMETER + " is for models"
          + " without dynamic_batching: batches form in the queue, which it skips");
    }
    return micros;
  }
}
