package dev.gantry.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.bench.report.HtmlReport;
import java.io.IOException;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The HTML report's curve rings the points of unstable levels, and says so in its legend. */
class UnstableMarksTest {
  private static LevelResult level(int concurrency, boolean stable) {
    Histogram latencies = new Histogram(3);
    for (int i = 0; i < 100; i++) {
      latencies.recordValue(1_000_000L * concurrency);
    }
    Window window = new Window(1_000_000_000, new WindowRecorder.Sample(latencies,
        new Histogram(3), 100, Map.of(), 0, 0, 100, 0), ServerStats.ZERO, CpuTime.NONE);
    return new LevelResult(new Level(Level.Kind.CONCURRENCY, concurrency), window, 3, stable,
        false, 0, 1);
  }

  private static String html(List<LevelResult> results) throws IOException {
    StringWriter out = new StringWriter();
    HtmlReport.write(new RunInfo("127.0.0.1:8001", "gantry", "simple", "", Mode.SYNC, 1, "random",
        0, "2026-12-04T00:00:00Z"), results, out);
    return out.toString();
  }

  @Test
  void eachSeriesRingsTheUnstableLevelOnly() throws IOException {
    String html = html(List.of(level(1, true), level(2, false), level(4, true)));
    assertEquals(4, html.split("class=\"unstable\"", -1).length - 1,
        "one ring per latency series, on the unstable level");
    assertTrue(html.contains("at concurrency 2: 2000 us at 100.0 infer/s (unstable)"), html);
    assertTrue(html.contains("class=\"legend\""), "the legend explains the rings");
  }

  @Test
  void aStableRunHasNoRings() throws IOException {
    String html = html(List.of(level(1, true), level(2, true)));
    assertEquals(-1, html.indexOf("class=\"unstable\""));
    assertEquals(-1, html.indexOf("class=\"legend\""));
  }
}
