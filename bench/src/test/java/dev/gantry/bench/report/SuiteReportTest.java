package dev.gantry.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The suite's RESULTS.md: goals judged from the runs' JSON, and missing runs said so. */
class SuiteReportTest {
  @TempDir Path runs;

  @Test
  void judgesEachGoalFromTheRuns() throws IOException {
    for (int c : SuitePlan.CONCURRENCY_TINY) {
      run(SuitePlan.live(c), 10_000 * c, 100, 0, "");
      run(SuitePlan.tiny(c), 8_500 * c, 120, 0, "");
      echoRun(SuitePlan.tinyEcho(c), 15_000 * c, 25.0, 5.0);
    }
    run(SuitePlan.TINY_IN_PROCESS, 100_000, 10, 0, "");
    run(SuitePlan.LIVE_PACED, 200, 500, 0, "");
    run("slow_served_c1", 130, 7_600, 0, "");
    run("slow_inprocess_c1", 135, 7_400, 0, "");
    run("slow_served_c2", 120, 16_000, 0, "");
    run("slow_inprocess_c2", 135, 14_800, 0, "");
    double[] curve = {1000, 1500, 2500, 4000, 5000};
    for (int i = 0; i < SuitePlan.CURVE.length; i++) {
      int b = SuitePlan.CURVE[i];
      run(SuitePlan.mlpInProcess(b), curve[i], 1000.0 * b / curve[i] * 1000, 0, "");
    }
    double[] served = {3100, 3300, 3500, 3700, 3900};
    for (int r = 1; r <= SuitePlan.BATCHING_ROUNDS; r++) {
      run(SuitePlan.mlpPairInProcess(r), 4000, 2000, 0, "", ", \"back_to_back_us\": {\"p99\": 4100}");
      run(SuitePlan.mlpPairServed(r), served[r - 1], 4000, 7.5, "\"8\": 90, \"4\": 10");
    }
    run("mlp_batching_off", 1000, 15000, 1, "\"1\": 1000");

    String report = report(List.of());

    assertTrue(report.contains("Tiny-model throughput ≥ 0.8 × the empty-RPC ceiling: **met**"
        + " (best tiny 136,000 infer/s against the best ServerLive 160,000 calls/s; a server adding"
        + " nothing to ServerLive would reach at most 1.00 (last column); a grpc-java server"
        + " echoing the tiny messages and running no model reached at best 240,000 infer/s, 1.50"
        + " of it, and with the model's own 50.0 µs per call added on the core it shares with the"
        + " load generator, where Gantry runs the tiny model on arrival, 0.56)"), report);
    assertTrue(report.contains("the model alone takes 50.0 µs of CPU per call in-process, and a"
        + " grpc-java server echoing the tiny messages took 25.0 µs per call at its best, so a"
        + " server adding nothing to the transport but the model would reach 0.67 (0.50 were the"
        + " tiny messages to cost the transport no more than ServerLive's 50.0 µs)"), report);
    assertTrue(report.contains("Served ≥ 0.95 × in-process for a model of ≥ 5 ms: **not met**"
        + " (the lowest ratio over concurrency 1 and 2 is 0.89; ServerLive at one call every 5 ms"
        + " took 500 µs p50 and 500 µs on average, so at concurrency 1, where every call waits for"
        + " one such trip, a server adding nothing to the transport would reach at most 0.94)"),
        report);
    assertTrue(report.contains("Served p50 ≤ in-process p50 + 150 µs for a model of ≥ 5 ms:"
        + " **not met** (the widest gap over concurrency 1 and 2 is 1,200 µs; ServerLive at one"
        + " call every 5 ms took 500 µs p50 and 500 µs on average, the gap of a server adding"
        + " nothing to the transport)"), report);
    assertTrue(report.contains("Tiny inferences per server CPU-second ≥ 0.5 × empty RPCs per server"
        + " CPU-second: **met**"), report);
    assertTrue(report.contains("Server CPU per MB of a 600 KB request ≤ 0.95 ms (half of 1.9 ms):"
        + " **not met** (not measured)"), report);
    assertTrue(report.contains("Batching on ≥ 2 × batching off: **met** (ratio 3.50)"), report);
    assertTrue(report.contains("at the batch size formed: **met** (batch formed 8"), report);
    assertTrue(report.contains("in-process at that batch in the same round 4,000 infer/s;"
        + " ratio 0.88; rounds [0.78, 0.83, 0.88, 0.93, 0.98])"), report);
    assertTrue(report.contains("full batch: **met** (p99 4,000 µs against 1000 + 2 × 2,000"
        + " = 5,000 µs; in the same round the in-process batch time itself had p99 "), report);
    assertTrue(report.contains("two in-process batches back to back, the latency of a server that"
        + " adds nothing, had p99 4,100 µs)"), report);
    assertTrue(report.contains("- Command: `bench/run-suite.sh`"), report);
    assertTrue(report.contains("- Pinning: the server's model instances on core 0 (`--host-policy"
        + " cpu,cpu-cores=0`), the rest of the server (transport, timers, JIT, GC) and the load"
        + " generator on core 1 (`taskset`); in-process runs on core 0"), report);
    assertTrue(report.contains("other processes used 3% to 40% (median 40%) of the model core"),
        report);
    assertTrue(report.contains("| tiny_c1 | 40% |"), report);
  }

  @Test
  void theReportReadsEveryRunThePlanMakesUnderItsName() throws IOException {
    for (SuitePlan.Run planned : SuitePlan.runs()) {
      run(planned.name(), 1000, 1000, 1, "\"1\": 10");
    }

    String report = report(List.of());

    assertTrue(!report.contains("not measured"), report);
  }

  @Test
  void aMissingRunIsNotMeasuredAndItsFailureListed() throws IOException {
    String report = report(List.of("live_c1 exited with status 3"));

    assertTrue(report.contains("empty-RPC ceiling: **not met** (not measured)"), report);
    assertTrue(report.contains("- live_c1 exited with status 3"), report);
    assertTrue(report.contains("other processes used 3% to 40%"), report);
    assertTrue(report.contains("| 1 | not measured | not measured |"), report);
  }

  @Test
  void anUndisturbedCoreIsSaidSoWithoutATable() throws IOException {
    Properties meta = new Properties();
    String report = new SuiteReport(runs, meta, List.of(), java.util.Map.of("live_c1", 0),
        "Copies: none.").render();

    assertTrue(report.contains("other processes used no measurable share of the model core"),
        report);
    assertTrue(!report.contains("## Other processes on the model core"), report);
  }

  @Test
  void thePayloadGoalIsJudgedWithTheEchoOfTheSameMessagesAsItsFloor() throws IOException {
    payloadRun(SuitePlan.identity(600), 614_400, 600.0);
    payloadRun(SuitePlan.identityEcho(600), 614_400, 540.0);

    String report = report(List.of());

    assertTrue(report.contains("Server CPU per MB of a 600 KB request ≤ 0.95 ms (half of 1.9 ms):"
        + " **not met** (0.98 ms per MB; a grpc-java server parsing as Gantry does, echoing the"
        + " same messages and doing nothing else used 0.88 ms per MB in the same run, the"
        + " transport's share)"), report);
    assertTrue(report.contains("| 0.98 | 1,000 | 0.88 | 1.11 |"), report);
  }

  @Test
  void aNewRunKeepsTheSectionsMeasuredByHand() {
    String previous = "# old\n\n## 1. old numbers\n\n" + SuiteReport.KEPT_BELOW
        + "\n\n## Failover\n\n| 0 failed |\n";
    assertEquals("# new\n\n" + SuiteReport.KEPT_BELOW + "\n\n## Failover\n\n| 0 failed |\n",
        SuiteReport.withKeptSections("# new\n", previous));
    assertEquals("# new\n", SuiteReport.withKeptSections("# new\n", "# old without hand sections\n"));
  }

  @Test
  void interpolatesTheBatchCurveBetweenMeasuredSizes() {
    TreeMap<Integer, Double> curve = new TreeMap<>(java.util.Map.of(4, 400.0, 8, 800.0));
    assertEquals(600.0, SuiteReport.interpolate(curve, 6));
    assertEquals(400.0, SuiteReport.interpolate(curve, 2));
    assertEquals(800.0, SuiteReport.interpolate(curve, 16));
    assertEquals(0.0, SuiteReport.interpolate(new TreeMap<>(), 4));
  }

  private String report(List<String> failures) throws IOException {
    Properties meta = new Properties();
    meta.setProperty("command", "bench/run-suite.sh");
    meta.setProperty("model_cpu", "0");
    meta.setProperty("client_cpu", "1");
    return new SuiteReport(runs, meta, failures, java.util.Map.of("live_c1", 3, "tiny_c1", 40),
        "Copies: none.").render();
  }

  /**
   * An echo run's JSON: {@code throughput} calls a second, each costing the echo {@code cpu} and
   * the load generator {@code clientCpu} µs.
   */
  private void echoRun(String name, double throughput, double cpu, double clientCpu)
      throws IOException {
    Files.writeString(runs.resolve(name + ".json"), String.format(Locale.ROOT, """
        {"run": {}, "levels": [{"concurrency": 16, "throughput_infer_per_sec": %f,
          "latency_us": {"p50": 100, "p90": 100, "p95": 100, "p99": 100, "avg": 100},
          "errors": {}, "stable": true, "payload_bytes": 128, "cpu_us_per_inference": %f,
          "client_cpu_us_per_inference": %f, "server": {"reported": false, "queue_us": 0,
          "compute_infer_us": 0, "average_batch": 0, "executions_by_batch_size": {}}}]}
        """, throughput, cpu, clientCpu));
  }

  /** A payload run's JSON: 1,000 requests a second of {@code bytes}, each costing {@code cpu} µs. */
  private void payloadRun(String name, long bytes, double cpu) throws IOException {
    Files.writeString(runs.resolve(name + ".json"), String.format(Locale.ROOT, """
        {"run": {}, "levels": [{"concurrency": 4, "throughput_infer_per_sec": 1000,
          "latency_us": {"p50": 4000, "p90": 5000, "p95": 6000, "p99": 8000, "avg": 4200},
          "errors": {}, "stable": true, "payload_bytes": %d, "cpu_us_per_inference": %f,
          "client_cpu_us_per_inference": 300.0, "server": {"reported": false, "queue_us": 0,
          "compute_infer_us": 0, "average_batch": 0, "executions_by_batch_size": {}}}]}
        """, bytes, cpu));
  }

  /** A run's JSON as the CLI writes it, with the figures the report reads. */
  private void run(String name, double throughput, double latency, double batch, String sizes)
      throws IOException {
    run(name, throughput, latency, batch, sizes, "");
  }

  private void run(String name, double throughput, double latency, double batch, String sizes,
      String extra) throws IOException {
    Files.writeString(runs.resolve(name + ".json"), String.format(Locale.ROOT, """
        {"run": {}, "levels": [{"concurrency": 1, "throughput_infer_per_sec": %f,
          "latency_us": {"p50": %f, "p90": %f, "p95": %f, "p99": %f, "avg": %f},
          "errors": {}, "stable": true, "payload_bytes": 128, "cpu_us_per_inference": 50.0,
          "client_cpu_us_per_inference": 3.0,
          "server": {"average_batch": %f, "queue_us": 10.0, "compute_infer_us": 100.0,
            "executions_by_batch_size": {%s}}%s}]}
        """, throughput, latency, latency, latency, latency, latency, batch, sizes, extra));
  }
}
