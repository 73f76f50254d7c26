package dev.gantry.bench;

import java.util.HashMap;
import java.util.Map;

/**
 * The in-process benchmark's own "server statistics": time waiting for a free model instance (the
 * queue), and the backend's compute phases as it marks them, kept like ModelStatistics so that the
 * in-process report reads like a server's. Recording and reading hold one lock, so that a snapshot
 * never sees half an execution.
 */
final class PhaseTotals implements StatsSource {
  private final Map<Long, Long> bySize = new HashMap<>();
  private long requests;
  private long queueNanos;
  private long inputNanos;
  private long inferNanos;
  private long outputNanos;
  private long items;

  /** Records one successful execution of a batch of {@code batchSize} items. */
  synchronized void record(long queue, long input, long infer, long output, long batchSize) {
    requests++;
    queueNanos += queue;
    inputNanos += input;
    inferNanos += infer;
    outputNanos += output;
    items += batchSize;
    bySize.merge(batchSize, 1L, Long::sum);
  }

  @Override
  public synchronized ServerStats snapshot() {
    long total = queueNanos + inputNanos + inferNanos + outputNanos;
    return new ServerStats(requests, total, requests, queueNanos, requests, inputNanos, inferNanos,
        outputNanos, items, requests, bySize);
  }
}
