package dev.gantry.server.e2e;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_33_0.Metrics.Bucket;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_33_0.Metrics.Histogram;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_33_0.Metrics.LabelPair;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_33_0.Metrics.Metric;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_33_0.Metrics.MetricFamily;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_33_0.Metrics.MetricType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks {@code promtool check metrics} makes (Prometheus' promlint rules: help, base units,
 * {@code _total} on counters only, reserved suffixes and labels, type in name, colons, camelCase,
 * abbreviated units, duplicate series), written here over the parsed {@link MetricFamily} that
 * promtool lints too, plus the consistency of every classic histogram: bounds increasing to
 * {@code +Inf}, cumulative counts not decreasing, {@code +Inf} equal to {@code _count}.
 */
final class PromLint {
  private static final Pattern CAMEL_CASE = Pattern.compile("[a-z][A-Z]");
  private static final Set<String> BASE_UNITS = Set.of(
      "amperes", "bytes", "celsius", "grams", "joules", "kelvin", "meters", "metres", "seconds",
      "volts");
  private static final Map<String, String> NON_BASE_UNITS = Map.of(
      "minutes", "seconds", "hours", "seconds", "days", "seconds", "weeks", "seconds",
      "bits", "bytes", "inches", "meters", "miles", "meters", "pounds", "grams",
      "calories", "joules", "fahrenheit", "celsius");
  private static final List<String> UNIT_PREFIXES = List.of(
      "pico", "nano", "micro", "milli", "centi", "deci", "deca", "hecto", "kilo", "kibi", "mega",
      "mebi", "giga", "gibi", "tera", "tebi", "peta", "pebi");
  private static final List<String> ABBREVIATIONS = List.of(
      "s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d");

  private PromLint() {}

  /** Every problem of every family, as {@code name: problem}; empty when the exposition is clean. */
  static List<String> problems(List<MetricFamily> families) {
    List<String> problems = new ArrayList<>();
    for (MetricFamily family : families) {
      for (String problem : problems(family)) {
        problems.add(family.getName() + ": " + problem);
      }
    }
    return problems;
  }

  private static List<String> problems(MetricFamily family) {
    List<String> problems = new ArrayList<>();
    String name = family.getName();
    MetricType type = family.getType();
    boolean untyped = type == MetricType.UNTYPED;
    if (family.getHelp().isBlank()) {
      problems.add("no help text");
    }
    for (String word : name.split("_")) {
      if (NON_BASE_UNITS.containsKey(word)) {
        problems.add("use base unit " + NON_BASE_UNITS.get(word) + " instead of " + word);
      }
      for (String prefix : UNIT_PREFIXES) {
        if (word.startsWith(prefix) && BASE_UNITS.contains(word.substring(prefix.length()))) {
          problems.add("use base unit " + word.substring(prefix.length()) + " instead of " + word);
        }
      }
    }
    boolean total = name.endsWith("_total");
    if (type == MetricType.COUNTER && !total) {
      problems.add("counter metrics should have \"_total\" suffix");
    } else if (!untyped && type != MetricType.COUNTER && total) {
      problems.add("non-counter metrics should not have \"_total\" suffix");
    }
    if (!untyped) {
      boolean distribution = type == MetricType.HISTOGRAM || type == MetricType.SUMMARY;
      if (type != MetricType.HISTOGRAM && name.endsWith("_bucket")) {
        problems.add("non-histogram metrics should not have \"_bucket\" suffix");
      }
      if (!distribution && (name.endsWith("_count") || name.endsWith("_sum"))) {
        problems.add("non-histogram and non-summary metrics should not have \"_count\" or "
            + "\"_sum\" suffix");
      }
      String typeName = "_" + type.name().toLowerCase(java.util.Locale.ROOT);
      if (name.contains(typeName + "_") || name.endsWith(typeName)) {
        problems.add("metric name should not include type " + typeName.substring(1));
      }
    }
    if (name.contains(":")) {
      problems.add("metric names should not contain ':'");
    }
    if (CAMEL_CASE.matcher(name).find()) {
      problems.add("metric names should be written in 'snake_case' not 'camelCase'");
    }
    for (String abbreviation : ABBREVIATIONS) {
      if (name.contains("_" + abbreviation + "_") || name.endsWith("_" + abbreviation)) {
        problems.add("metric names should not contain abbreviated units");
      }
    }
    Set<List<LabelPair>> seen = new HashSet<>();
    for (Metric metric : family.getMetricList()) {
      if (!seen.add(metric.getLabelList())) {
        problems.add("metric not unique: " + metric.getLabelList());
      }
      for (LabelPair label : metric.getLabelList()) {
        if (CAMEL_CASE.matcher(label.getName()).find()) {
          problems.add("label names should be written in 'snake_case' not 'camelCase'");
        }
        if (label.getName().equals("le") && type != MetricType.HISTOGRAM
            || label.getName().equals("quantile") && type != MetricType.SUMMARY) {
          problems.add("reserved label " + label.getName());
        }
      }
      if (type == MetricType.HISTOGRAM) {
        problems.addAll(histogramProblems(metric.getHistogram()));
      }
    }
    return problems;
  }

  private static List<String> histogramProblems(Histogram histogram) {
    List<String> problems = new ArrayList<>();
    List<Bucket> buckets = histogram.getBucketList();
    if (buckets.isEmpty()) {
      return List.of("histogram without buckets");
    }
    for (int i = 1; i < buckets.size(); i++) {
      if (buckets.get(i).getUpperBound() <= buckets.get(i - 1).getUpperBound()) {
        problems.add("bucket bounds not increasing at " + buckets.get(i).getUpperBound());
      }
      if (buckets.get(i).getCumulativeCount() < buckets.get(i - 1).getCumulativeCount()) {
        problems.add("bucket counts not cumulative at " + buckets.get(i).getUpperBound());
      }
    }
    Bucket last = buckets.get(buckets.size() - 1);
    if (last.getUpperBound() != Double.POSITIVE_INFINITY) {
      problems.add("no +Inf bucket");
    } else if (last.getCumulativeCount() != histogram.getSampleCount()) {
      problems.add("+Inf bucket " + last.getCumulativeCount() + " != _count "
          + histogram.getSampleCount());
    }
    if (!histogram.hasSampleSum()) {
      problems.add("no _sum");
    } else if (histogram.getSampleCount() == 0 && histogram.getSampleSum() != 0) {
      problems.add("_sum without observations");
    }
    return problems;
  }
}
