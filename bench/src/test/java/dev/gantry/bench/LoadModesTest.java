package dev.gantry.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every mode of sending, closed and open loop, against a real server on loopback. */
@ExtendWith(ExampleServer.class)
class LoadModesTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"sync", "async", "stream"})
  void closedLoopKeepsTheConcurrencyAndReportsTheServerSplit(String mode, ExampleServer.Running server)
      throws IOException {
    Path json = dir.resolve("result.json");
    Bench.Result result = Bench.quick("-u", server.url(), "-m", "simple", "--mode", mode,
        "--concurrency-range", "1:4:3", "--json", json.toString());

    assertEquals(0, result.exit(), result.err());
    JsonObject report = Bench.json(json);
    assertEquals(mode, report.getAsJsonObject("run").get("mode").getAsString());
    assertEquals(2, report.getAsJsonArray("levels").size());
    for (int i = 0; i < 2; i++) {
      JsonObject level = report.getAsJsonArray("levels").get(i).getAsJsonObject();
      assertEquals(i == 0 ? 1 : 4, level.get("concurrency").getAsInt());
      assertTrue(level.get("successes").getAsLong() > 0, level.toString());
      assertEquals(0, level.getAsJsonObject("errors").size(), level.toString());
      JsonObject split = level.getAsJsonObject("server");
      assertTrue(split.get("reported").getAsBoolean());
      assertTrue(split.get("queue_us").getAsDouble() > 0, split.toString());
      assertTrue(split.get("compute_infer_us").getAsDouble() > 0, split.toString());
      assertTrue(level.get("client_send_us").getAsDouble() > 0, level.toString());
    }
    double batchAtFour = report.getAsJsonArray("levels").get(1).getAsJsonObject()
        .getAsJsonObject("server").get("average_batch").getAsDouble();
    assertTrue(batchAtFour >= 1 && batchAtFour <= 4, "batch formed at concurrency 4: " + batchAtFour);
  }

  @ParameterizedTest
  @CsvSource({"sync,constant", "async,poisson", "stream,constant"})
  void openLoopSendsAtTheRequestedRate(String mode, String distribution,
      ExampleServer.Running server) throws IOException {
    Path json = dir.resolve("rate.json");
    Bench.Result result = Bench.run(java.util.List.of("-u", server.url(), "-m", "simple",
        "--mode", mode, "--request-rate-range", "200", "--request-distribution", distribution,
        "--measurement-interval", "500", "--max-trials", "3", "--warmup-requests", "20",
        "--json", json.toString()));

    assertEquals(0, result.exit(), result.err());
    JsonObject level = Bench.json(json).getAsJsonArray("levels").get(0).getAsJsonObject();
    assertEquals(200, level.get("request_rate").getAsDouble());
    double throughput = level.get("throughput_infer_per_sec").getAsDouble();
    assertTrue(throughput > 120 && throughput < 280, "throughput at 200/s: " + throughput);
    assertTrue(level.get("late_fraction").getAsDouble() < 0.5, level.toString());
  }

  @Test
  void liveMeasuresTheEmptyRpcWithoutAModel(ExampleServer.Running server) throws IOException {
    Path json = dir.resolve("live.json");
    Bench.Result result = Bench.quick("-u", server.url(), "--rpc", "live",
        "--concurrency-range", "2", "--json", json.toString());

    assertEquals(0, result.exit(), result.err());
    JsonObject report = Bench.json(json);
    assertEquals("ServerLive", report.getAsJsonObject("run").get("model").getAsString());
    JsonObject level = report.getAsJsonArray("levels").get(0).getAsJsonObject();
    assertTrue(level.get("throughput_infer_per_sec").getAsDouble() > 0);
    assertTrue(!level.getAsJsonObject("server").get("reported").getAsBoolean());
  }

  @Test
  void serverCpuIsReportedPerInferenceForAGivenProcess(ExampleServer.Running server)
      throws IOException {
    Path json = dir.resolve("cpu.json");
    Bench.Result result = Bench.quick("-u", server.url(), "-m", "simple", "--mode", "async",
        "--concurrency-range", "4", "--server-pid", Long.toString(ProcessHandle.current().pid()),
        "--json", json.toString());

    assertEquals(0, result.exit(), result.err());
    JsonObject level = Bench.json(json).getAsJsonArray("levels").get(0).getAsJsonObject();
    assertTrue(level.get("cpu_us_per_inference").getAsDouble() > 0, level.toString());
    assertTrue(level.get("client_cpu_us_per_inference").getAsDouble() > 0, level.toString());
  }
}
