package dev.gantry.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * A range of load levels as perf_analyzer writes it, {@code start[:end[:step]]}: the levels from
 * start to end inclusive, step apart (step 1 and end = start by default).
 *
 * @param start the first level
 * @param end the last level, at least {@code start}
 * @param step the distance between levels, positive
 */
record Range(double start, double end, double step) {
  /** The most levels one range may hold. */
  static final int MAX_LEVELS = 1000;

  Range {
    if (start <= 0 || end < start || step <= 0) {
      throw new IllegalArgumentException(
          "a range needs 0 < start <= end and step > 0, got " + start + ":" + end + ":" + step);
    }
    if ((end - start) / step + 1 > MAX_LEVELS) {
      throw new IllegalArgumentException("a range may hold at most " + MAX_LEVELS + " levels");
    }
  }

  /** Reads {@code start[:end[:step]]}. */
  static Range parse(String text) {
    String[] parts = text.split(":", -1);
    if (parts.length > 3) {
      throw new IllegalArgumentException("expected start[:end[:step]], got '" + text + "'");
    }
    try {
      double start = Double.parseDouble(parts[0]);
      double end = parts.length > 1 ? Double.parseDouble(parts[1]) : start;
      double step = parts.length > 2 ? Double.parseDouble(parts[2]) : 1;
      return new Range(start, end, step);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected numbers in start[:end[:step]], got '" + text + "'", e);
    }
  }

  /** The levels, start first. */
  List<Double> values() {
    List<Double> values = new ArrayList<>();
    for (int i = 0; start + i * step <= end + 1e-9; i++) {
      values.add(start + i * step);
    }
    return values;
  }
}
