package dev.gantry.server.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jmx.JmxReporter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's one {@link MetricRegistry}, and the one place where metrics are registered: the
 * gRPC calls', and each model version's ({@link ModelMetrics}). Also exposes the registry to
 * Prometheus with {@code model}, {@code version} and other labels under the chosen {@link
 * MetricNames} ({@link PrometheusView}), next to the JVM's metrics, and to JMX.
 *
 * <p>The JVM's metrics are the Prometheus client's JVM instrumentation, under the names every
 * JVM dashboard knows ({@code jvm_memory_used_bytes}, {@code jvm_gc_collection_seconds}, {@code
 * process_cpu_seconds_total}, ...). They measure the process, not the server, so they are
 * registered once per JVM ({@link JvmOnce}) and every server's endpoint includes them; JMX has
 * the JVM's own MXBeans for them.
 */
public final class ServerMetrics implements AutoCloseable {
  private final MetricRegistry registry = new MetricRegistry();
  /** Counters by method (and status code), found without building their names on every call. */
  private final Map<String, Counter> inFlightCounters = new ConcurrentHashMap<>();
  private final PrometheusRegistry prometheus = new PrometheusRegistry();
  private final Map<String, ModelMetrics> versions = new ConcurrentHashMap<>();
  private JmxReporter jmx;

  public ServerMetrics(MetricNames names) {
    prometheus.register(new PrometheusView(registry, names));
    prometheus.register(JvmOnce.COLLECTOR);
  }

  public MetricRegistry registry() {
    return registry;
  }

  /** The Prometheus view of the registry, for the HTTP exporter. */
  public PrometheusRegistry prometheus() {
    return prometheus;
  }

  /**
   * The metrics of one model version; a version reloaded in place keeps counting in the same
   * metrics.
   */
  public ModelMetrics forVersion(String model, long version) {
    return versions.computeIfAbsent(model + "\0" + version,
        key -> new ModelMetrics(registry, model, version));
  }

  /** Drops the metrics of a version that is no longer served. */
  public void removeVersion(String model, long version) {
    ModelMetrics removed = versions.remove(model + "\0" + version);
    if (removed != null) {
      removed.unregister();
    }
  }

  /** Counts a model version that failed to load. */
  public void loadFailed(String model) {
    registry.counter(Family.LOAD_FAILURES.name(model)).inc();
  }

  /** The counter of a gRPC method's calls ended with one status code; the caller increments it. */
  public Counter callsEnded(String method, String code) {
    return registry.counter(Family.GRPC_CALLS.name(method, code));
  }

  /** The in-flight call counter of a gRPC method; the caller increments and decrements it. */
  public Counter inFlight(String method) {
    return inFlightCounters.computeIfAbsent(
        method, ignored -> registry.counter(Family.GRPC_IN_FLIGHT.name(method)));
  }

  /** Also publishes every metric as a JMX MBean under the {@code dev.gantry} domain. */
  public void startJmx() {
    jmx = JmxReporter.forRegistry(registry).inDomain("dev.gantry").build();
    jmx.start();
  }

  /**
   * The JVM's metrics, registered in a registry of their own the first time a server starts: the
   * instrumentation keeps every registry it was given and adds GC listeners for each, so
   * registering it per server would leak in a JVM that starts many.
   */
  private static final class JvmOnce {
    static final MultiCollector COLLECTOR = collector();

    private static MultiCollector collector() {
      PrometheusRegistry jvm = new PrometheusRegistry();
      JvmMetrics.builder().register(jvm);
      return jvm::scrape;
    }
  }

  @Override
  public void close() {
    if (jmx != null) {
      jmx.stop();
    }
  }
}
