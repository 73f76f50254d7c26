package dev.gantry.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The same measurement through the backend SPI, without a server. */
@ExtendWith(ExampleServer.class)
class InProcessTest {
  @TempDir Path dir;

  @Test
  void measuresTheModelThroughTheBackendSpi(ExampleServer.Running server) throws IOException {
    Path json = dir.resolve("r.json");
    Bench.Result result = Bench.quick("--in-process", "--model-repository",
        server.repository().toString(), "-m", "simple", "-b", "2", "--concurrency-range", "1:2",
        "--json", json.toString());

    assertEquals(0, result.exit(), result.err());
    JsonObject report = Bench.json(json);
    assertEquals("in-process", report.getAsJsonObject("run").get("target").getAsString());
    for (var element : report.getAsJsonArray("levels")) {
      JsonObject level = element.getAsJsonObject();
      assertTrue(level.get("successes").getAsLong() > 0);
      JsonObject split = level.getAsJsonObject("server");
      assertTrue(split.get("compute_infer_us").getAsDouble() > 0, split.toString());
      assertEquals(2.0, split.get("average_batch").getAsDouble());
      assertTrue(level.get("cpu_us_per_inference").getAsDouble() > 0);
      assertTrue(!level.has("client_cpu_us_per_inference"), "the generator is the measured process");
      assertEquals(2 * 2 * 16 * Float.BYTES, level.get("payload_bytes").getAsLong());
    }
    JsonObject one = report.getAsJsonArray("levels").get(0).getAsJsonObject();
    assertTrue(one.getAsJsonObject("back_to_back_us").get("p50").getAsDouble()
        > one.getAsJsonObject("latency_us").get("p50").getAsDouble(), one.toString());
    JsonObject two = report.getAsJsonArray("levels").get(1).getAsJsonObject();
    assertTrue(!two.has("back_to_back_us"), "pairs mean nothing with two outstanding: " + two);
    assertTrue(two.getAsJsonObject("server").get("queue_us").getAsDouble() > 0,
        "two threads share one instance, so one waits: " + two);
  }

  @Test
  void refusesAModelTheRepositoryDoesNotHave(ExampleServer.Running server) {
    Bench.Result result = Bench.quick("--in-process", "--model-repository",
        server.repository().toString(), "-m", "nope");

    assertEquals(BenchMain.EXIT_SETUP, result.exit());
    assertTrue(result.err().contains("has no model 'nope'"), result.err());
  }
}
