package dev.gantry.server.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.LockFreeExponentiallyDecayingReservoir;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Reservoir;
import com.codahale.metrics.Timer;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntUnaryOperator;
import java.util.function.IntSupplier;

/**
 * The measurements of one model version, held in the server's {@link MetricRegistry}: what
 * Prometheus scrapes and what the statistics RPC reports are the same counters.
 *
 * <p>Following Triton, queue and compute times are recorded for executions that succeeded; each
 * request of a batch is charged the batch's full compute time, while the per-batch-size
 * statistics count each execution once.
 */
public final class ModelMetrics implements ExecutionListener {
  private final MetricRegistry registry;
  private final String model;
  private final String version;
  private final List<String> names = new ArrayList<>();
  private final Counter success;
  private final Counter successNanos;
  private final Map<FailureReason, Counter> failures = new EnumMap<>(FailureReason.class);
  private final Counter failureNanos;
  private final Counter queueRequests;
  private final Counter queueNanos;
  private final Counter computeRequests;
  private final Counter inputNanos;
  private final Counter inferNanos;
  private final Counter outputNanos;
  private final Counter inferences;
  private final Counter executions;
  private final Timer requestLatency;
  private final Timer queueLatency;
  private final Timer inputLatency;
  private final Timer inferLatency;
  private final Timer outputLatency;
  private final Histogram batchRequests;
  private final Histogram batchItems;
  private final Map<DispatchReason, Counter> dispatches = new EnumMap<>(DispatchReason.class);
  private final Map<Long, Counter[]> batchSizes = new ConcurrentHashMap<>();
  private final AtomicLong lastInferenceMillis = new AtomicLong();

  ModelMetrics(MetricRegistry registry, String model, long version) {
    this.registry = registry;
    this.model = model;
    this.version = Long.toString(version);
    success = counter(Family.REQUEST_SUCCESS);
    successNanos = counter(Family.REQUEST_SUCCESS_NS);
    for (FailureReason reason : FailureReason.values()) {
      failures.put(reason, counter(Family.REQUEST_FAILURE, reason.label()));
    }
    failureNanos = counter(Family.REQUEST_FAILURE_NS);
    queueRequests = counter(Family.QUEUE_REQUESTS);
    queueNanos = counter(Family.QUEUE_NS);
    computeRequests = counter(Family.COMPUTE_REQUESTS);
    inputNanos = counter(Family.COMPUTE_INPUT_NS);
    inferNanos = counter(Family.COMPUTE_INFER_NS);
    outputNanos = counter(Family.COMPUTE_OUTPUT_NS);
    inferences = counter(Family.INFERENCES);
    executions = counter(Family.EXECUTIONS);
    requestLatency = timer(Family.REQUEST_LATENCY);
    queueLatency = timer(Family.QUEUE_LATENCY);
    inputLatency = timer(Family.COMPUTE_INPUT_LATENCY);
    inferLatency = timer(Family.COMPUTE_INFER_LATENCY);
    outputLatency = timer(Family.COMPUTE_OUTPUT_LATENCY);
    batchRequests = histogram(Family.BATCH_REQUESTS);
    batchItems = histogram(Family.BATCH_ITEMS);
    for (DispatchReason reason : DispatchReason.values()) {
      dispatches.put(reason, counter(Family.BATCH_DISPATCH,
          reason.name().toLowerCase(java.util.Locale.ROOT)));
    }
    gauge(Family.LAST_INFERENCE_MS, lastInferenceMillis::get);
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
    gauge(Family.LOAD_DURATION_MS, () -> TimeUnit.NANOSECONDS.toMillis(nanos));
  }

  /** A request answered successfully, {@code nanos} after the server received it. */
  public void succeeded(long nanos) {
    success.inc();
    successNanos.inc(nanos);
    requestLatency.update(nanos, TimeUnit.NANOSECONDS);
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
    long totalQueue = 0;
    for (long nanos : record.queueNanos()) {
      totalQueue += nanos;
      queueLatency.update(nanos, TimeUnit.NANOSECONDS);
    }
    queueRequests.inc(requests);
    queueNanos.inc(totalQueue);
    computeRequests.inc(requests);
    inputNanos.inc(requests * record.inputNanos());
    inferNanos.inc(requests * record.inferNanos());
    outputNanos.inc(requests * record.outputNanos());
    inputLatency.update(record.inputNanos(), TimeUnit.NANOSECONDS);
    inferLatency.update(record.inferNanos(), TimeUnit.NANOSECONDS);
    outputLatency.update(record.outputNanos(), TimeUnit.NANOSECONDS);
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
    return new CountAndNanos(success.getCount(), successNanos.getCount());
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
    return new CountAndNanos(queueRequests.getCount(), queueNanos.getCount());
  }

  public CountAndNanos computeInput() {
    return new CountAndNanos(computeRequests.getCount(), inputNanos.getCount());
  }

  public CountAndNanos computeInfer() {
    return new CountAndNanos(computeRequests.getCount(), inferNanos.getCount());
  }

  public CountAndNanos computeOutput() {
    return new CountAndNanos(computeRequests.getCount(), outputNanos.getCount());
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
      counter(Family.BATCH_INPUT_NS, label),
      counter(Family.BATCH_INFER_NS, label),
      counter(Family.BATCH_OUTPUT_NS, label)
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

  /**
   * Timers and histograms keep their samples in a lock-free reservoir: the default one takes a
   * lock and a sorted-map insert on every update, several times per request on the serving path.
   */
  private Timer timer(Family family) {
    return registry.timer(register(family), () -> new Timer(reservoir()));
  }

  private Histogram histogram(Family family) {
    return registry.histogram(register(family), () -> new Histogram(reservoir()));
  }

  private static Reservoir reservoir() {
    return LockFreeExponentiallyDecayingReservoir.builder().build();
  }

  private <T> void gauge(Family family, Gauge<T> gauge, String... extra) {
    String name = register(family, extra);
    registry.remove(name);
    registry.register(name, gauge);
  }
}
