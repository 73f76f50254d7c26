package dev.gantry.bench.report;

import dev.gantry.bench.LevelResult;
import dev.gantry.bench.Units;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The throughput–latency curve of the HTML report: one point per load level, throughput across
 * and latency up, a line each for p50, p90, p99 and the mean, so that the knee where queueing
 * starts is visible at a glance. A level whose windows never agreed (unstable) is ringed, so that
 * nobody reads a knee into noise.
 */
final class CurveChart {
  private static final int WIDTH = 720;
  private static final int HEIGHT = 380;
  private static final int LEFT = 70;
  private static final int RIGHT = 110;
  private static final int TOP = 20;
  private static final int BOTTOM = 50;

  private record Series(String name, String color, ToDoubleFunction<LevelResult> micros) {}

  private static final List<Series> SERIES = List.of(
      new Series("p50", "#1f77b4", r -> r.percentileMicros(50)),
      new Series("p90", "#ff7f0e", r -> r.percentileMicros(90)),
      new Series("p99", "#d62728", r -> r.percentileMicros(99)),
      new Series("avg", "#555555", LevelResult::meanMicros));

  private CurveChart() {}

  static String render(List<LevelResult> results) {
    double plotWidth = WIDTH - LEFT - RIGHT;
    double plotHeight = HEIGHT - TOP - BOTTOM;
    double maxLatency = results.stream()
        .mapToDouble(r -> SERIES.stream().mapToDouble(s -> s.micros().applyAsDouble(r)).max().orElse(0))
        .max().orElse(0);
    boolean millis = maxLatency > 10_000;
    double unit = millis ? 1000 : 1;
    Axis x = Axis.upTo(results.stream().mapToDouble(LevelResult::throughput).max().orElse(0));
    Axis y = Axis.upTo(maxLatency / unit);
    Svg svg = new Svg(WIDTH, HEIGHT);
    for (double tick : x.ticks()) {
      double px = LEFT + x.scale(tick, plotWidth);
      svg.line(px, TOP, px, TOP + plotHeight, "#e0e0e0", 1)
          .text(px, TOP + plotHeight + 16, x.label(tick), "middle");
    }
    for (double tick : y.ticks()) {
      double py = TOP + plotHeight - y.scale(tick, plotHeight);
      svg.line(LEFT, py, LEFT + plotWidth, py, "#e0e0e0", 1)
          .text(LEFT - 6, py + 4, y.label(tick), "end");
    }
    svg.line(LEFT, TOP + plotHeight, LEFT + plotWidth, TOP + plotHeight, "#000", 1)
        .line(LEFT, TOP, LEFT, TOP + plotHeight, "#000", 1)
        .text(LEFT + plotWidth / 2, HEIGHT - 12, "throughput (infer/s)", "middle")
        .text(14, TOP + 10, millis ? "ms" : "us", "start");
    int legend = 0;
    for (Series series : SERIES) {
      double[] xs = new double[results.size()];
      double[] ys = new double[results.size()];
      for (int i = 0; i < results.size(); i++) {
        LevelResult r = results.get(i);
        xs[i] = LEFT + x.scale(r.throughput(), plotWidth);
        ys[i] = TOP + plotHeight - y.scale(series.micros().applyAsDouble(r) / unit, plotHeight);
        String point = series.name() + " at "
            + r.level().kind().title().toLowerCase(Locale.ROOT) + " "
            + r.level().formatted() + ": " + Units.fixed(series.micros().applyAsDouble(r), 0)
            + " us at " + Units.fixed(r.throughput(), 1) + " infer/s";
        svg.circle(xs[i], ys[i], 3.5, series.color(), point);
        if (!r.stable()) {
          svg.ring(xs[i], ys[i], 7, series.color(), "unstable", point + " (unstable)");
        }
      }
      svg.polyline(xs, ys, series.color());
      double ly = TOP + 10 + 18 * legend++;
      svg.line(WIDTH - RIGHT + 14, ly - 4, WIDTH - RIGHT + 34, ly - 4, series.color(), 3)
          .text(WIDTH - RIGHT + 40, ly, series.name(), "start");
    }
    if (results.stream().anyMatch(r -> !r.stable())) {
      double ly = TOP + 10 + 18 * legend;
      svg.ring(WIDTH - RIGHT + 24, ly - 4, 6, "#000", "legend", "a ringed point is unstable")
          .text(WIDTH - RIGHT + 40, ly, "unstable", "start");
    }
    return svg.toString();
  }
}
