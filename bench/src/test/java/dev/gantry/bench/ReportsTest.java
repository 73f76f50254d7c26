package dev.gantry.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The table, CSV, JSON and HTML of one run over two levels, read back and checked. */
@ExtendWith(ExampleServer.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportsTest {
  private Path dir;
  private Bench.Result result;

  @BeforeAll
  void run(ExampleServer.Running server, @TempDir Path tempDir) {
    dir = tempDir;
    result = Bench.quick("-u", server.url(), "-m", "simple", "--concurrency-range", "1:2",
        "-f", dir.resolve("r.csv").toString(), "--json", dir.resolve("r.json").toString(),
        "--report", dir.resolve("r.html").toString());
  }

  @Test
  void succeedsAndPrintsATableRowPerLevel() {
    assertEquals(0, result.exit(), result.err());
    List<String> lines = result.out().lines().toList();
    assertTrue(lines.get(1).startsWith("Concurrency") && lines.get(1).contains("p99 us"), result.out());
    assertTrue(lines.get(2).startsWith("1 "), result.out());
    assertTrue(lines.get(3).startsWith("2 "), result.out());
    assertTrue(result.err().contains("window 1/3"), "progress on stderr: " + result.err());
  }

  @Test
  void csvHasPerfAnalyzersColumnsAndARowPerLevel() throws IOException {
    List<String> lines = Files.readAllLines(dir.resolve("r.csv"));
    assertEquals("Concurrency,Inferences/Second,Client Send,Network+Server Send/Recv,Server Queue,"
        + "Server Compute Input,Server Compute Infer,Server Compute Output,Client Recv,"
        + "p50 latency,p90 latency,p95 latency,p99 latency,Avg latency,request/response,"
        + "response wait", lines.get(0));
    assertEquals(3, lines.size());
    for (int level = 1; level <= 2; level++) {
      String[] cells = lines.get(level).split(",");
      assertEquals(16, cells.length);
      assertEquals(Integer.toString(level), cells[0]);
      assertTrue(Double.parseDouble(cells[1]) > 0, lines.get(level));
      assertTrue(Long.parseLong(cells[4]) > 0, "server queue: " + lines.get(level));
      assertTrue(Long.parseLong(cells[6]) > 0, "server compute infer: " + lines.get(level));
      long p50 = Long.parseLong(cells[9]);
      long p99 = Long.parseLong(cells[12]);
      assertTrue(p50 > 0 && p50 <= p99, lines.get(level));
    }
  }

  @Test
  void jsonHoldsTheRunAndEveryFigure() throws IOException {
    JsonObject report = Bench.json(dir.resolve("r.json"));
    JsonObject run = report.getAsJsonObject("run");
    assertEquals("simple", run.get("model").getAsString());
    assertTrue(run.get("server").getAsString().startsWith("gantry "));
    assertEquals("avg", run.get("stability_latency").getAsString());
    JsonArray levels = report.getAsJsonArray("levels");
    assertEquals(2, levels.size());
    JsonObject level = levels.get(0).getAsJsonObject();
    JsonObject latency = level.getAsJsonObject("latency_us");
    assertTrue(latency.get("p50").getAsDouble() <= latency.get("p90").getAsDouble());
    assertTrue(latency.get("p90").getAsDouble() <= latency.get("p99").getAsDouble());
    assertTrue(level.get("window_seconds").getAsDouble() > 0);
    assertEquals(2 * 16 * Float.BYTES, level.get("payload_bytes").getAsLong());
    assertEquals(0.0, level.get("error_rate").getAsDouble());
    assertTrue(level.getAsJsonObject("server").getAsJsonObject("executions_by_batch_size").size() > 0);
  }

  @Test
  void htmlIsSelfContainedWithBothCharts() throws IOException {
    String html = Files.readString(dir.resolve("r.html"));
    assertTrue(html.startsWith("<!DOCTYPE html>"));
    assertEquals(2, html.split("<svg", -1).length - 1, "two inline SVG charts");
    assertTrue(html.contains("<polyline"), "the throughput-latency curve");
    assertTrue(html.contains("compute infer"), "the latency split");
    for (String external : List.of("http:", "https:", "src=", "href=", "<script", "@import", "url(")) {
      assertFalse(html.contains(external), "no external reference: " + external);
    }
  }
}
