package dev.gantry.bench;

import java.util.Map;
import java.util.TreeMap;

/**
 * The cumulative counters of Triton's ModelStatistics that the report uses: requests and their
 * time in the queue and in each compute phase, inferences, executions and executions per batch
 * size. The benchmark subtracts two snapshots to get what happened during a measurement window.
 *
 * @param successCount requests answered successfully
 * @param successNanos their total time in the server, from receipt to response
 * @param queueCount requests that left the queue
 * @param queueNanos their total time waiting there
 * @param computeCount requests that were computed
 * @param inputNanos their total time preparing inputs (each charged its whole batch's time)
 * @param inferNanos their total time running the model
 * @param outputNanos their total time collecting outputs
 * @param inferences batch items computed
 * @param executions model executions (batches) run
 * @param executionsByBatchSize executions per batch size in items
 */
public record ServerStats(
    long successCount,
    long successNanos,
    long queueCount,
    long queueNanos,
    long computeCount,
    long inputNanos,
    long inferNanos,
    long outputNanos,
    long inferences,
    long executions,
    Map<Long, Long> executionsByBatchSize) {

  /** No statistics: what a server without the {@code statistics} extension reports. */
  static final ServerStats ZERO = new ServerStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Map.of());

  public ServerStats {
    executionsByBatchSize = Map.copyOf(executionsByBatchSize);
  }

  /** What happened between {@code earlier} and this snapshot. */
  ServerStats minus(ServerStats earlier) {
    Map<Long, Long> sizes = new TreeMap<>(executionsByBatchSize);
    earlier.executionsByBatchSize.forEach((size, count) -> sizes.merge(size, -count, Long::sum));
    sizes.values().removeIf(count -> count == 0);
    return new ServerStats(
        successCount - earlier.successCount,
        successNanos - earlier.successNanos,
        queueCount - earlier.queueCount,
        queueNanos - earlier.queueNanos,
        computeCount - earlier.computeCount,
        inputNanos - earlier.inputNanos,
        inferNanos - earlier.inferNanos,
        outputNanos - earlier.outputNanos,
        inferences - earlier.inferences,
        executions - earlier.executions,
        sizes);
  }

  /** Both together: the statistics of two windows, or of two model versions. */
  ServerStats plus(ServerStats other) {
    Map<Long, Long> sizes = new TreeMap<>(executionsByBatchSize);
    other.executionsByBatchSize.forEach((size, count) -> sizes.merge(size, count, Long::sum));
    return new ServerStats(
        successCount + other.successCount,
        successNanos + other.successNanos,
        queueCount + other.queueCount,
        queueNanos + other.queueNanos,
        computeCount + other.computeCount,
        inputNanos + other.inputNanos,
        inferNanos + other.inferNanos,
        outputNanos + other.outputNanos,
        inferences + other.inferences,
        executions + other.executions,
        sizes);
  }

  /** Whether the server reported anything at all. */
  public boolean isEmpty() {
    return successCount == 0 && queueCount == 0 && computeCount == 0;
  }
}
