package dev.gantry.server.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import dev.gantry.server.metrics.BucketHistogram.Counts;
import dev.gantry.server.metrics.Export.Value;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Presents the Dropwizard registry to Prometheus under one {@link MetricNames}: each Dropwizard
 * metric's {@link Family} and label values are decoded from its name, and each {@link Export} of
 * that family becomes a data point, so {@code gantry_request_duration.simple.1} is scraped as
 * {@code gantry_request_duration_seconds_bucket{model="simple",version="1",le="..."}} and more.
 * The Prometheus client's own writers turn the snapshots into text, OpenMetrics or protobuf.
 *
 * <p>Gantry maps names itself because the Prometheus Dropwizard bridge emits one metric per
 * Dropwizard name (1.4 refuses two names mapped to one labelled family), with generated help
 * text, and exports every histogram as a summary from its reservoir's samples: no buckets, no
 * {@code _sum}.
 */
final class PrometheusView implements MultiCollector {
  private final MetricRegistry registry;
  private final List<Export> exports;
  private final Map<Family, List<Export>> byFamily = new EnumMap<>(Family.class);

  PrometheusView(MetricRegistry registry, MetricNames names) {
    this.registry = registry;
    this.exports = names.exports();
    for (Export export : exports) {
      byFamily.computeIfAbsent(export.family(), family -> new ArrayList<>()).add(export);
    }
  }

  @Override
  public MetricSnapshots collect() {
    Map<Export, Map<Labels, Double>> numbers = new LinkedHashMap<>();
    Map<Export, Map<Labels, Counts>> histograms = new LinkedHashMap<>();
    registry.getMetrics().forEach((name, metric) -> {
      Family.Named named = Family.decode(name);
      Object reading = read(metric);
      for (Export export : byFamily.getOrDefault(named.family(), List.of())) {
        Labels labels = export.labels(named.values());
        if (export.value() == Value.BUCKETS) {
          histograms.computeIfAbsent(export, e -> new LinkedHashMap<>())
              .put(labels, (Counts) reading);
        } else {
          numbers.computeIfAbsent(export, e -> new LinkedHashMap<>())
              .merge(labels, number(export, reading), Double::sum);
        }
      }
    });
    MetricSnapshots.Builder snapshots = MetricSnapshots.builder();
    for (Export export : exports) {
      if (numbers.containsKey(export)) {
        snapshots.metricSnapshot(scalar(export, numbers.get(export)));
      } else if (histograms.containsKey(export)) {
        snapshots.metricSnapshot(histogram(export, histograms.get(export)));
      }
    }
    return snapshots.build();
  }

  /** One consistent reading of a metric: a count, a gauge's value, or a histogram's counts. */
  private static Object read(Metric metric) {
    if (metric instanceof BucketHistogram histogram) {
      return histogram.counts();
    }
    if (metric instanceof Counter counter) {
      return (double) counter.getCount();
    }
    if (metric instanceof Gauge<?> gauge && gauge.getValue() instanceof Number number) {
      return number.doubleValue();
    }
    throw new IllegalStateException("cannot export " + metric.getClass().getName());
  }

  private static double number(Export export, Object reading) {
    double raw = switch (export.value()) {
      case NUMBER -> (Double) reading;
      case COUNT -> ((Counts) reading).count();
      case SUM -> ((Counts) reading).sum();
      case BUCKETS -> throw new IllegalArgumentException(export.name() + " is a histogram");
    };
    return raw / export.divisor();
  }

  private static MetricSnapshot scalar(Export export, Map<Labels, Double> points) {
    return switch (export.type()) {
      case COUNTER -> {
        CounterSnapshot.Builder builder = metadata(CounterSnapshot.builder(), export);
        points.forEach((labels, value) -> builder.dataPoint(
            CounterDataPointSnapshot.builder().labels(labels).value(value).build()));
        yield builder.build();
      }
      case GAUGE -> {
        GaugeSnapshot.Builder builder = metadata(GaugeSnapshot.builder(), export);
        points.forEach((labels, value) -> builder.dataPoint(
            GaugeDataPointSnapshot.builder().labels(labels).value(value).build()));
        yield builder.build();
      }
      case UNTYPED -> {
        UnknownSnapshot.Builder builder = metadata(UnknownSnapshot.builder(), export);
        points.forEach((labels, value) -> builder.dataPoint(
            UnknownDataPointSnapshot.builder().labels(labels).value(value).build()));
        yield builder.build();
      }
      case HISTOGRAM -> throw new IllegalArgumentException(export.name() + " has buckets");
    };
  }

  private static MetricSnapshot histogram(Export export, Map<Labels, Counts> points) {
    HistogramSnapshot.Builder builder = metadata(HistogramSnapshot.builder(), export);
    points.forEach((labels, counts) -> {
      long[] bounds = counts.bounds();
      double[] upper = new double[bounds.length + 1];
      for (int i = 0; i < bounds.length; i++) {
        upper[i] = bounds[i] / export.divisor();
      }
      upper[bounds.length] = Double.POSITIVE_INFINITY;
      builder.dataPoint(HistogramDataPointSnapshot.builder()
          .labels(labels)
          .classicHistogramBuckets(ClassicHistogramBuckets.of(upper, counts.perBucket()))
          .sum(counts.sum() / export.divisor())
          .build());
    });
    return builder.build();
  }

  private static <B extends MetricSnapshot.Builder<B>> B metadata(B builder, Export export) {
    builder.name(export.name()).help(export.help());
    if (export.name().endsWith("_seconds")) {
      builder.unit(Unit.SECONDS);
    }
    return builder;
  }
}
