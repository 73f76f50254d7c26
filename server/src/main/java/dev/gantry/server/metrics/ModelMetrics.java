package dev.gantry.server.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import dev.gantry.server.error.GantryException;
import dev.gantry.server.scheduler.DispatchReason;
import dev.gantry.server.scheduler.ExecutionListener;
import dev.gantry.server.scheduler.ExecutionRecord;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntUnaryOperator;
import java.util.function.IntSupplier;

/**
 * The measurements of one model version, held in the server's {@link MetricRegistry}: what
 * Prometheus scrapes and what the statistics RPC reports are the same counters.
 *
 * <p>Following Triton, queue and compute times are recorded for executions that succeeded; each
 * request of a batch is charged the batch's full compute time, while the per-batch-size
 * statistics count each execution once. Durations are {@link BucketHistogram}s: their counts and
 * sums are the statistics RPC's counts and nanoseconds, their buckets Prometheus' histograms.
 */
public final class ModelMetrics implements ExecutionListener {
  private final MetricRegistry registry;
  private final String model;
  private final String version;
  private final List<String> names = new ArrayList<>();
  private final BucketHistogram success;
  private final Map<FailureReason, Counter> failures = new EnumMap<>(FailureReason.class);
  private final Counter failureNanos;
  private final BucketHistogram queue;
  private final BucketHistogram input;
  private final BucketHistogram infer;
  private final BucketHistogram output;
  private final Counter inferences;
  private final Counter executions;
  private final BucketHistogram batchRequests;
  private final BucketHistogram batchItems;
  private final Map<DispatchReason, Counter> dispatches = new EnumMap<>(DispatchReason.class);
  private final Map<Long, Counter[]> batchSizes = new ConcurrentHashMap<>();
  private final AtomicLong lastInferenceMillis = new AtomicLong();

  ModelMetrics(MetricRegistry registry, String model, long version) {
    this.registry = registry;
    this.model = model;
    this.version = Long.toString(version);
    success = histogram(Family.REQUEST_DURATION, BucketHistogram.DURATION_NANOS);
    for (FailureReason reason : FailureReason.values()) {
      failures.put(reason, counter(Family.REQUEST_FAILURE, reason.label()));
    }
    failureNanos = counter(Family.REQUEST_FAILURE_DURATION);
    queue = histogram(Family.QUEUE_DURATION, BucketHistogram.DURATION_NANOS);
    input = histogram(Family.COMPUTE_INPUT_DURATION, BucketHistogram.DURATION_NANOS);
    infer = histogram(Family.COMPUTE_INFER_DURATION, BucketHistogram.DURATION_NANOS);
    output = histogram(Family.COMPUTE_OUTPUT_DURATION, BucketHistogram.DURATION_NANOS);
    inferences = counter(Family.INFERENCES);
    executions = counter(Family.EXECUTIONS);
    batchRequests = histogram(Family.BATCH_REQUESTS, BucketHistogram.BATCH_SIZES);
    batchItems = histogram(Family.BATCH_ITEMS, BucketHistogram.BATCH_SIZES);
    for (DispatchReason reason : DispatchReason.values()) {
      dispatches.put(reason, counter(Family.BATCH_DISPATCH,
          reason.name().toLowerCase(java.util.Locale.ROOT)));
    }
    gauge(Family.LAST_INFERENCE, lastInferenceMillis::get);
  }

  /** Publishes how many requests are pending (queued or executing) and queued per level. */
  public void watchQueue(int levels, IntSupplier pending, IntUnaryOperator perLevel) {
    gauge(Family.PENDING_REQUESTS, pending::getAsInt);
    for (int level = 1; level <= levels; level++) {
      int at = level;
      gauge(Family.QUEUE_DEPTH, () -> perLevel.applyAsInt(at), Integer.toString(level));
    }
  }

  /** Records how long this version took to load. */
  public void loaded(long nanos) {
    gauge(Family.LOAD_DURATION, () -> nanos);
  }

  /** A request answered successfully, {@code nanos} after the server received it. */
  public void succeeded(long nanos) {
    success.update(nanos);
  }

  /** A request that reached this model failed, {@code nanos} after the server received it. */
  public void failed(GantryException error, long nanos) {
    failures.get(FailureReason.of(error)).inc();
    failureNanos.inc(nanos);
  }

  @Override
  public void onExecution(ExecutionRecord record) {
    int requests = record.requests();
    dispatches.get(record.reason()).inc();
    batchRequests.update(requests);
    batchItems.update(record.items());
    if (!record.succeeded()) {
      return;
    }
    for (long nanos : record.queueNanos()) {
      queue.update(nanos);
    }
    input.update(record.inputNanos(), requests);
    infer.update(record.inferNanos(), requests);
    output.update(record.outputNanos(), requests);
    inferences.inc(record.items());
    executions.inc();
    Counter[] bySize = batchSizes.computeIfAbsent(record.items(), this::batchSizeCounters);
    bySize[0].inc();
    bySize[1].inc(record.inputNanos());
    bySize[2].inc(record.inferNanos());
    bySize[3].inc(record.outputNanos());
    lastInferenceMillis.set(System.currentTimeMillis());
  }

  public CountAndNanos success() {
    return totals(success);
  }

  public CountAndNanos failure() {
    long count = 0;
    for (Counter counter : failures.values()) {
      count += counter.getCount();
    }
    return new CountAndNanos(count, failureNanos.getCount());
  }

  public long failures(FailureReason reason) {
    return failures.get(reason).getCount();
  }

  public CountAndNanos queue() {
    return totals(queue);
  }

  public CountAndNanos computeInput() {
    return totals(input);
  }

  public CountAndNanos computeInfer() {
    return totals(infer);
  }

  public CountAndNanos computeOutput() {
    return totals(output);
  }

  public long inferenceCount() {
    return inferences.getCount();
  }

  public long executionCount() {
    return executions.getCount();
  }

  public long dispatches(DispatchReason reason) {
    return dispatches.get(reason).getCount();
  }

  /** Milliseconds since the epoch of the last successful execution, 0 before the first. */
  public long lastInferenceMillis() {
    return lastInferenceMillis.get();
  }

  /** The executions of each batch size (in items), smallest first. */
  public List<BatchStatistics> batchStatistics() {
    List<BatchStatistics> statistics = new ArrayList<>();
    new TreeMap<>(batchSizes).forEach((size, c) -> statistics.add(new BatchStatistics(
        size, c[0].getCount(), c[1].getCount(), c[2].getCount(), c[3].getCount())));
    return statistics;
  }

  /** Removes this version's metrics from the registry, when the version is unloaded. */
  void unregister() {
    synchronized (names) {
      names.forEach(registry::remove);
      names.clear();
    }
  }

  private Counter[] batchSizeCounters(long size) {
    String label = Long.toString(size);
    return new Counter[] {
      counter(Family.BATCH_EXECUTIONS, label),
      counter(Family.BATCH_INPUT_DURATION, label),
      counter(Family.BATCH_INFER_DURATION, label),
      counter(Family.BATCH_OUTPUT_DURATION, label)
    };
  }

  private String register(Family family, String... extra) {
    String[] values = new String[2 + extra.length];
    values[0] = model;
    values[1] = version;
    System.arraycopy(extra, 0, values, 2, extra.length);
    String name = family.name(values);
    synchronized (names) {
      names.add(name);
    }
    return name;
  }

  private Counter counter(Family family, String... extra) {
    return registry.counter(register(family, extra));
  }

  private BucketHistogram histogram(Family family, long[] bounds) {
    return (BucketHistogram) registry.histogram(register(family), () -> new BucketHistogram(bounds));
  }

  private static CountAndNanos totals(BucketHistogram histogram) {
    BucketHistogram.Counts counts = histogram.counts();
    return new CountAndNanos(counts.count(), counts.sum());
  }

  private <T> void gauge(Family family, Gauge<T> gauge, String... extra) {
    String name = register(family, extra);
    registry.remove(name);
    registry.register(name, gauge);
  }
}
