package dev.gantry.bench.report;

import dev.gantry.bench.Level;
import dev.gantry.bench.LevelResult;
import dev.gantry.bench.Units;
import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.StringJoiner;

/**
 * Writes the results in perf_analyzer's CSV layout ({@code -f FILE.csv}), one row per load level,
 * so that tools and spreadsheets made for perf_analyzer read Gantry's numbers unchanged. Times are
 * whole microseconds; columns this tool does not measure are 0.
 */
public final class CsvReport {
  static final List<String> COLUMNS = List.of(
      "Inferences/Second", "Client Send", "Network+Server Send/Recv", "Server Queue",
      "Server Compute Input", "Server Compute Infer", "Server Compute Output", "Client Recv",
      "p50 latency", "p90 latency", "p95 latency", "p99 latency", "Avg latency",
      "request/response", "response wait");

  private CsvReport() {}

  public static void write(List<LevelResult> results, Writer out) throws IOException {
    Level.Kind kind = results.isEmpty() ? Level.Kind.CONCURRENCY : results.get(0).level().kind();
    StringJoiner header = new StringJoiner(",");
    header.add(kind.title());
    COLUMNS.forEach(header::add);
    out.write(header + "\n");
    for (LevelResult result : results) {
      out.write(String.join(",",
          result.level().formatted(),
          Units.fixed(result.throughput(), 2),
          Units.micros(result.clientSendMicros()),
          Units.micros(result.networkMicros()),
          Units.micros(result.queueMicros()),
          Units.micros(result.computeInputMicros()),
          Units.micros(result.computeInferMicros()),
          Units.micros(result.computeOutputMicros()),
          Units.micros(result.clientRecvMicros()),
          Units.micros(result.percentileMicros(50)),
          Units.micros(result.percentileMicros(90)),
          Units.micros(result.percentileMicros(95)),
          Units.micros(result.percentileMicros(99)),
          Units.micros(result.meanMicros()),
          "0",
          "0") + "\n");
    }
  }
}
