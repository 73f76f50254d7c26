package dev.gantry.bench.report;

import dev.gantry.bench.LevelResult;
import dev.gantry.bench.RunInfo;
import dev.gantry.bench.Units;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Prints the results as a table on stdout at the end of a run: throughput, latency percentiles,
 * the latency split, batch size formed, CPU per inference and errors, one row per load level.
 */
public final class TableReport {
  private static final String ROW =
      "%-12s %11s %8s %8s %8s %8s %8s %7s %8s %8s %8s %8s %8s %7s %6s %8s %8s %7s %s%n";

  private TableReport() {}

  private static String cpu(OptionalDouble micros) {
    return micros.isPresent() ? Units.fixed(micros.getAsDouble(), 1) : "-";
  }

  public static void print(RunInfo info, List<LevelResult> results, PrintStream out) {
    out.printf("%s on %s (%s), mode %s, batch size %d, input %s%n", info.model(), info.target(),
        info.server(), info.mode().name().toLowerCase(Locale.ROOT), info.batchSize(),
        info.inputData());
    out.printf(ROW, results.isEmpty() ? "Concurrency" : results.get(0).level().kind().title(),
        "infer/s", "p50 us", "p90 us", "p95 us", "p99 us", "avg us", "send", "network", "queue",
        "input", "infer", "output", "recv", "batch", "srv cpu", "cli cpu", "errors", "");
    for (LevelResult r : results) {
      out.printf(ROW, r.level().formatted(), Units.fixed(r.throughput(), 1),
          Units.micros(r.percentileMicros(50)), Units.micros(r.percentileMicros(90)),
          Units.micros(r.percentileMicros(95)), Units.micros(r.percentileMicros(99)),
          Units.micros(r.meanMicros()), Units.micros(r.clientSendMicros()),
          Units.micros(r.networkMicros()), Units.micros(r.queueMicros()),
          Units.micros(r.computeInputMicros()), Units.micros(r.computeInferMicros()),
          Units.micros(r.computeOutputMicros()), Units.micros(r.clientRecvMicros()),
          Units.fixed(r.averageBatch(), 1),
          cpu(r.cpuMicrosPerInference()), cpu(r.clientCpuMicrosPerInference()),
          Long.toString(r.errorCount()), r.stable() ? "" : "(unstable)");
    }
    out.println("Times in microseconds per request; send/recv: client, network: transport and server"
        + " outside queue and compute; srv cpu, cli cpu: CPU us of the server and of this load"
        + " generator per inference.");
    for (LevelResult r : results) {
      Map<String, Long> errors = r.measured().sample().errors();
      if (!errors.isEmpty()) {
        out.printf("errors at %s %s: %s%n", r.level().kind().title().toLowerCase(Locale.ROOT),
            r.level().formatted(), errors);
      }
    }
  }
}
