package dev.gantry.bench.report;

import dev.gantry.bench.LevelResult;
import dev.gantry.bench.RunInfo;
import dev.gantry.bench.Units;
import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Writes a self-contained HTML page ({@code --report FILE.html}): the run's description, the
 * throughput–latency curve, the latency split per level and the numbers, with charts as inline
 * SVG and no scripts, fonts or anything else fetched from elsewhere, so that it reads offline and
 * can be attached to a review as one file.
 */
public final class HtmlReport {
  private HtmlReport() {}

  public static void write(RunInfo info, List<LevelResult> results, Writer out) throws IOException {
    String title = "gantry-bench: " + info.model() + " on " + info.target();
    out.write("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>"
        + Html.escape(title) + "</title><style>"
        + "body{font-family:sans-serif;margin:2em;color:#222}"
        + "table{border-collapse:collapse;font-size:13px}"
        + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
        + "th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}"
        + "</style></head><body>\n");
    out.write("<h1>" + Html.escape(title) + "</h1>\n");
    out.write("<p>" + Html.escape(description(info)) + "</p>\n");
    out.write("<h2>Throughput and latency</h2>\n" + CurveChart.render(results) + "\n");
    out.write("<h2>Where the time goes</h2>\n" + SplitChart.render(results) + "\n");
    out.write("<h2>Numbers</h2>\n" + table(results) + "\n");
    out.write("<p>Latencies in microseconds. Network + server: the mean latency less the client's"
        + " own time and the server's queue and compute time.</p>\n</body></html>\n");
  }

  private static String cpu(OptionalDouble micros) {
    return micros.isPresent() ? Units.fixed(micros.getAsDouble(), 1) : "-";
  }

  private static String description(RunInfo info) {
    return "Server " + info.server() + "; model " + info.model()
        + (info.version().isEmpty() ? "" : " version " + info.version())
        + "; mode " + info.mode().name().toLowerCase(Locale.ROOT)
        + "; batch size " + info.batchSize() + "; input " + info.inputData()
        + "; started " + info.started() + ".";
  }

  private static String table(List<LevelResult> results) {
    StringBuilder html = new StringBuilder("<table><tr>");
    String first = results.isEmpty() ? "Concurrency" : results.get(0).level().kind().title();
    for (String head : List.of(first, "infer/s", "p50", "p90", "p95", "p99", "avg", "client send",
        "network + server", "queue", "compute input", "compute infer", "compute output",
        "client recv", "avg batch", "server CPU us/infer", "client CPU us/infer", "errors",
        "stable")) {
      html.append("<th>").append(Html.escape(head)).append("</th>");
    }
    html.append("</tr>");
    for (LevelResult r : results) {
      html.append("<tr>");
      for (String cell : List.of(r.level().formatted(), Units.fixed(r.throughput(), 1),
          Units.micros(r.percentileMicros(50)), Units.micros(r.percentileMicros(90)),
          Units.micros(r.percentileMicros(95)), Units.micros(r.percentileMicros(99)),
          Units.micros(r.meanMicros()), Units.fixed(r.clientSendMicros(), 1),
          Units.fixed(r.networkMicros(), 1), Units.fixed(r.queueMicros(), 1),
          Units.fixed(r.computeInputMicros(), 1), Units.fixed(r.computeInferMicros(), 1),
          Units.fixed(r.computeOutputMicros(), 1), Units.fixed(r.clientRecvMicros(), 1),
          Units.fixed(r.averageBatch(), 2),
          cpu(r.cpuMicrosPerInference()), cpu(r.clientCpuMicrosPerInference()),
          r.errorCount() == 0 ? "0" : r.errorCount() + " " + r.measured().sample().errors(),
          r.stable() ? "yes" : "no")) {
        html.append("<td>").append(Html.escape(cell)).append("</td>");
      }
      html.append("</tr>");
    }
    return html.append("</table>").toString();
  }
}
