package dev.gantry.bench.report;

import dev.gantry.bench.Units;

/**
 * A chart axis from zero to a round number above the largest value, with ticks at round steps
 * (1, 2 or 5 times a power of ten), so that the report's charts read without a plotting library.
 *
 * @param max the axis' upper end
 * @param step the distance between ticks
 */
record Axis(double max, double step) {
  private static final int TARGET_TICKS = 5;

  static Axis upTo(double largest) {
    double top = largest > 0 ? largest : 1;
    double rough = top / TARGET_TICKS;
    double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
    double step = magnitude;
    for (double factor : new double[] {1, 2, 5, 10}) {
      step = factor * magnitude;
      if (step >= rough) {
        break;
      }
    }
    return new Axis(Math.ceil(top / step) * step, step);
  }

  /** The tick values from 0 to {@link #max}. */
  double[] ticks() {
    int count = (int) Math.round(max / step) + 1;
    double[] ticks = new double[count];
    for (int i = 0; i < count; i++) {
      ticks[i] = i * step;
    }
    return ticks;
  }

  /** Where {@code value} falls on an axis {@code length} pixels long. */
  double scale(double value, double length) {
    return value / max * length;
  }

  /** A tick label: no decimals unless the step needs them. */
  String label(double value) {
    return step >= 1 ? Units.fixed(value, 0) : Units.fixed(value, (int) Math.ceil(-Math.log10(step)));
  }
}
