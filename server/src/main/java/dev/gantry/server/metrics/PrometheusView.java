package dev.gantry.server.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Presents the Dropwizard registry to Prometheus: each {@link Family} becomes one metric with its
 * label values decoded from the Dropwizard names, so {@code gantry_request_success.simple.1} is
 * scraped as {@code gantry_request_success_total{model="simple",version="1"}}. Other metrics (the
 * JVM's) keep their Dropwizard names with dots as underscores.
 *
 * <p>Counters become Prometheus counters (gauges for {@link Family#UP_DOWN}), gauges gauges,
 * histograms summaries, and timers summaries in seconds with the 0.5, 0.9, 0.99 quantiles of
 * Dropwizard's recent-sample reservoir.
 *
 * <p>Gantry maps names itself because the Prometheus Dropwizard bridge (1.3 and 1.4) emits one
 * metric per Dropwizard name and refuses two names mapped to the same metric family with different
 * labels ("duplicate metric name"), which is exactly what per-model labels need.
 */
final class PrometheusView implements MultiCollector {
  private static final double[] QUANTILES = {0.5, 0.9, 0.99};

  private final MetricRegistry registry;

  PrometheusView(MetricRegistry registry) {
    this.registry = registry;
  }

  @Override
  public MetricSnapshots collect() {
    Map<String, CounterSnapshot.Builder> counters = new LinkedHashMap<>();
    Map<String, GaugeSnapshot.Builder> gauges = new LinkedHashMap<>();
    Map<String, SummarySnapshot.Builder> summaries = new LinkedHashMap<>();
    registry.getCounters().forEach((name, counter) -> {
      Named named = Named.of(name);
      if (named.family != null && Family.UP_DOWN.contains(named.family)) {
        gauge(gauges, named, counter.getCount());
      } else {
        counters.computeIfAbsent(named.name, n -> CounterSnapshot.builder().name(n))
            .dataPoint(CounterDataPointSnapshot.builder()
                .labels(named.labels).value(counter.getCount()).build());
      }
    });
    registry.getGauges().forEach((name, gauge) -> {
      if (numeric(gauge) != null) {
        gauge(gauges, Named.of(name), numeric(gauge));
      }
    });
    registry.getHistograms().forEach((name, histogram) ->
        summary(summaries, Named.of(name), histogram.getCount(), histogram.getSnapshot(), 1));
    registry.getTimers().forEach((name, timer) ->
        summary(summaries, Named.of(name).withSuffix("_seconds"), timer.getCount(),
            timer.getSnapshot(), TimeUnit.SECONDS.toNanos(1)));
    MetricSnapshots.Builder snapshots = MetricSnapshots.builder();
    counters.values().forEach(b -> snapshots.metricSnapshot(b.build()));
    gauges.values().forEach(b -> snapshots.metricSnapshot(b.build()));
    summaries.values().forEach(b -> snapshots.metricSnapshot(b.build()));
    return snapshots.build();
  }

  private static void gauge(Map<String, GaugeSnapshot.Builder> gauges, Named named, double value) {
    gauges.computeIfAbsent(named.name, n -> GaugeSnapshot.builder().name(n))
        .dataPoint(GaugeDataPointSnapshot.builder().labels(named.labels).value(value).build());
  }

  private static void summary(
      Map<String, SummarySnapshot.Builder> summaries,
      Named named,
      long count,
      Snapshot snapshot,
      double divisor) {
    Quantiles.Builder quantiles = Quantiles.builder();
    for (double q : QUANTILES) {
      quantiles.quantile(new Quantile(q, snapshot.getValue(q) / divisor));
    }
    summaries.computeIfAbsent(named.name, n -> SummarySnapshot.builder().name(n))
        .dataPoint(SummaryDataPointSnapshot.builder()
            .labels(named.labels).count(count).quantiles(quantiles.build()).build());
  }

  private static Double numeric(Gauge<?> gauge) {
    Object value = gauge.getValue();
    return value instanceof Number number ? number.doubleValue() : null;
  }

  /** A Prometheus metric name and labels for one Dropwizard name. */
  private record Named(String name, Labels labels, Family family) {
    static Named of(String dropwizardName) {
      for (Family family : Family.values()) {
        String[] values = family.labelValues(dropwizardName);
        if (values != null) {
          return new Named(family.prefix(),
              Labels.of(family.labels().toArray(String[]::new), values), family);
        }
      }
      return new Named(dropwizardName.replaceAll("[^a-zA-Z0-9_:]", "_"), Labels.EMPTY, null);
    }

    Named withSuffix(String suffix) {
      return new Named(name + suffix, labels, family);
    }
  }
}
