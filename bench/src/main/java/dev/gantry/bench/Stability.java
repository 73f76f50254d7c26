package dev.gantry.bench;

import java.util.List;

/**
 * Decides when a load level's measurement has settled, as perf_analyzer does: the last three
 * windows agree within {@code --stability-percentage} on throughput and on the chosen latency
 * figure (largest over smallest at most 1 + percentage/100), and none of them is empty.
 */
final class Stability {
  /** How many recent windows must agree. */
  static final int WINDOWS = 3;

  private Stability() {}

  /**
   * @param percentile 0 for the mean latency, else the percentile judged
   */
  static boolean isStable(List<Window> windows, double percentage, int percentile) {
    if (windows.size() < WINDOWS) {
      return false;
    }
    List<Window> recent = windows.subList(windows.size() - WINDOWS, windows.size());
    return agree(recent.stream().mapToDouble(Window::throughput).toArray(), percentage)
        && agree(recent.stream().mapToDouble(w -> w.latencyMicros(percentile)).toArray(), percentage);
  }

  private static boolean agree(double[] values, double percentage) {
    double min = Double.MAX_VALUE;
    double max = 0;
    for (double value : values) {
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
    return min > 0 && max / min <= 1 + percentage / 100;
  }
}
