package dev.gantry.bench.report;

import dev.gantry.bench.LevelResult;
import dev.gantry.bench.Units;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The latency split of the HTML report: one stacked bar per load level, from the client's send
 * time through transport, queue and the three compute phases to the client's receive time, so
 * that it shows where each level's time goes and what grows with load.
 */
final class SplitChart {
  private static final int WIDTH = 720;
  private static final int LEFT = 110;
  private static final int RIGHT = 20;
  private static final int TOP = 60;
  private static final double CHAR_WIDTH = 7;
  private static final int BAR = 22;
  private static final int GAP = 8;

  private record Part(String name, String color, ToDoubleFunction<LevelResult> micros) {}

  private static final List<Part> SEGMENTS = List.of(
      new Part("client send", "#9467bd", LevelResult::clientSendMicros),
      new Part("network + server", "#7f7f7f", LevelResult::networkMicros),
      new Part("queue", "#ff7f0e", LevelResult::queueMicros),
      new Part("compute input", "#bcbd22", LevelResult::computeInputMicros),
      new Part("compute infer", "#2ca02c", LevelResult::computeInferMicros),
      new Part("compute output", "#17becf", LevelResult::computeOutputMicros),
      new Part("client recv", "#e377c2", LevelResult::clientRecvMicros));

  private SplitChart() {}

  static String render(List<LevelResult> results) {
    int height = TOP + results.size() * (BAR + GAP) + 40;
    double plotWidth = WIDTH - LEFT - RIGHT;
    Axis x = Axis.upTo(results.stream().mapToDouble(SplitChart::total).max().orElse(0));
    Svg svg = new Svg(WIDTH, height);
    double legendX = 10;
    double legendY = 8;
    for (Part part : SEGMENTS) {
      double itemWidth = 16 + CHAR_WIDTH * part.name().length() + 14;
      if (legendX + itemWidth > WIDTH) {
        legendX = 10;
        legendY += 20;
      }
      svg.rect(legendX, legendY, 12, 12, part.color(), part.name())
          .text(legendX + 16, legendY + 10, part.name(), "start");
      legendX += itemWidth;
    }
    double bottom = TOP + results.size() * (BAR + GAP);
    for (double tick : x.ticks()) {
      double px = LEFT + x.scale(tick, plotWidth);
      svg.line(px, TOP - 4, px, bottom, "#e0e0e0", 1).text(px, bottom + 16, x.label(tick), "middle");
    }
    svg.text(LEFT + plotWidth / 2, bottom + 34, "average latency per request (us)", "middle");
    for (int i = 0; i < results.size(); i++) {
      LevelResult r = results.get(i);
      double y = TOP + i * (BAR + GAP);
      svg.text(LEFT - 8, y + BAR - 6, r.level().kind().title() + " " + r.level().formatted(), "end");
      double offset = 0;
      for (Part part : SEGMENTS) {
        double value = part.micros().applyAsDouble(r);
        double w = x.scale(value, plotWidth);
        svg.rect(LEFT + offset, y, w, BAR, part.color(), part.name() + ": " + Units.fixed(value, 1) + " us");
        offset += w;
      }
    }
    return svg.toString();
  }

  private static double total(LevelResult r) {
    return SEGMENTS.stream().mapToDouble(p -> p.micros().applyAsDouble(r)).sum();
  }
}
