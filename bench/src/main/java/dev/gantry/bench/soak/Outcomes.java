package dev.gantry.bench.soak;

import io.grpc.Status;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How the calls of one scenario ended: counts by operation and status, which statuses each
 * operation expects, and the latencies of successful calls in logarithmic buckets.
 */
final class Outcomes {
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  private final Map<String, Set<Status.Code>> expected = new ConcurrentHashMap<>();
  private final long[] buckets = new long[400];

  /** Declares the normal outcomes of an operation; anything else counts as unexpected. */
  void expect(String operation, Set<Status.Code> codes) {
    expected.put(operation, codes);
  }

  void count(String operation, Status.Code code) {
    counts.computeIfAbsent(operation + " " + code, k -> new LongAdder()).increment();
  }

  synchronized void latency(long nanos) {
    int bucket = (int) Math.min(buckets.length - 1,
        Math.max(0, Math.round(Math.log(Math.max(1, nanos / 1000.0)) / Math.log(1.05))));
    buckets[bucket]++;
  }

  synchronized double percentileMillis(double fraction) {
    long total = 0;
    for (long count : buckets) {
      total += count;
    }
    long seen = 0;
    for (int i = 0; i < buckets.length; i++) {
      seen += buckets[i];
      if (total > 0 && seen >= fraction * total) {
        return Math.pow(1.05, i) / 1000.0;
      }
    }
    return 0;
  }

  /** Counts by "operation status", sorted. */
  Map<String, Long> table() {
    Map<String, Long> table = new TreeMap<>();
    counts.forEach((key, count) -> table.put(key, count.sum()));
    return table;
  }

  long total() {
    return table().values().stream().mapToLong(Long::longValue).sum();
  }

  /** Calls that ended with a status their operation does not expect. */
  long unexpected() {
    long count = 0;
    for (Map.Entry<String, Long> entry : table().entrySet()) {
      String[] parts = entry.getKey().split(" ");
      if (!expected.getOrDefault(parts[0], Set.of()).contains(Status.Code.valueOf(parts[1]))) {
        count += entry.getValue();
      }
    }
    return count;
  }
}
