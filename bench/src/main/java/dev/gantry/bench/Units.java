package dev.gantry.bench;

import java.util.Locale;

/** Number formatting shared by the reports: fixed decimals, a dot as separator whatever the locale. */
public final class Units {
  private Units() {}

  public static String fixed(double value, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", value);
  }

  /** Whole microseconds, as perf_analyzer writes latencies. */
  public static String micros(double value) {
    return Long.toString(Math.round(value));
  }
}
