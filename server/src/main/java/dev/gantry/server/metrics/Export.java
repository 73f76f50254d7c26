package dev.gantry.server.metrics;

import io.prometheus.metrics.model.snapshots.Labels;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * One metric family of the Prometheus exposition: its name, type and help, and how its values are
 * read from the Dropwizard metrics of one {@link Family}.
 *
 * @param family where the values come from
 * @param type the Prometheus type
 * @param name the Prometheus name; a counter's {@code _total} is added by the text writer
 * @param help the {@code # HELP} text
 * @param value what of each Dropwizard metric is exported
 * @param divisor what the Dropwizard value is divided by, e.g. 1e9 for nanoseconds as seconds
 * @param relabel how the family's labels become the exported ones; data points that end up with
 *     the same labels are added up
 */
record Export(
    Family family,
    Type type,
    String name,
    String help,
    Value value,
    double divisor,
    UnaryOperator<Map<String, String>> relabel) {

  /** The Prometheus metric types Gantry exports. */
  enum Type { COUNTER, GAUGE, HISTOGRAM, UNTYPED }

  /** What of a Dropwizard metric is exported. */
  enum Value {
    /** A counter's count or a gauge's value. */
    NUMBER,
    /** A {@link BucketHistogram}'s number of observations. */
    COUNT,
    /** A {@link BucketHistogram}'s sum of observations. */
    SUM,
    /** A {@link BucketHistogram}'s buckets, sum and count. */
    BUCKETS
  }

  static final double NANOS_PER_SECOND = 1e9;
  static final double NANOS_PER_MICROSECOND = 1e3;
  static final double MILLIS_PER_SECOND = 1e3;

  static Export of(Family family, Type type, String name, Value value, double divisor, String help) {
    return new Export(family, type, name, help, value, divisor, UnaryOperator.identity());
  }

  Export relabelled(UnaryOperator<Map<String, String>> relabel) {
    return new Export(family, type, name, help, value, divisor, relabel);
  }

  /** The exported labels of a data point with these values of the family's labels. */
  Labels labels(String[] values) {
    Map<String, String> labels = new LinkedHashMap<>();
    List<String> names = family.labels();
    for (int i = 0; i < values.length; i++) {
      labels.put(names.get(i), values[i]);
    }
    Map<String, String> exported = relabel.apply(labels);
    return Labels.of(List.copyOf(exported.keySet()), List.copyOf(exported.values()));
  }
}
