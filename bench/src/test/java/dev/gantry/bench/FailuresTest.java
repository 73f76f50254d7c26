package dev.gantry.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Runs that must fail, each with its own exit status and a message saying why. */
@ExtendWith(ExampleServer.class)
class FailuresTest {
  @TempDir Path dir;

  @Test
  void anUnreachableTargetExitsWithStatus3() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Bench.Result result = Bench.quick("-u", "127.0.0.1:" + closedPort, "-m", "simple");

    assertEquals(BenchMain.EXIT_SETUP, result.exit());
    assertTrue(result.err().contains("cannot reach the server at 127.0.0.1:" + closedPort),
        result.err());
    assertTrue(result.err().contains("UNAVAILABLE"), result.err());
  }

  @Test
  void aModelThatIsNotServedExitsWithStatus3(ExampleServer.Running server) {
    Bench.Result result = Bench.quick("-u", server.url(), "-m", "nope");

    assertEquals(BenchMain.EXIT_SETUP, result.exit());
    assertTrue(result.err().contains("model 'nope' is not ready"), result.err());
  }

  @Test
  void failedRequestsOverTheErrorRateExitWithStatus1(ExampleServer.Running server)
      throws IOException {
    Path data = Files.writeString(dir.resolve("wrong.json"),
        "{\"data\":[{\"INPUT0\":{\"content\":[1,2,3,4,5],\"shape\":[5]}}]}");
    Path json = dir.resolve("r.json");
    Bench.Result result = Bench.quick("-u", server.url(), "-m", "identity_fp32",
        "--input-data", data.toString(), "--json", json.toString());

    assertEquals(BenchMain.EXIT_ERRORS, result.exit(), result.err());
    assertTrue(result.err().contains("100.00% of the requests failed at concurrency 1"), result.err());
    JsonObject level = Bench.json(json).getAsJsonArray("levels").get(0).getAsJsonObject();
    assertTrue(level.getAsJsonObject("errors").get("INVALID_ARGUMENT").getAsLong() > 0, level.toString());
    assertTrue(result.out().contains("errors at concurrency 1: {INVALID_ARGUMENT="), result.out());
  }

  @Test
  void theRunStopsAtMaxDurationWithStatus4(ExampleServer.Running server) {
    long start = System.nanoTime();
    Bench.Result result = Bench.run(List.of("-u", server.url(), "-m", "simple",
        "--concurrency-range", "1:3", "--measurement-interval", "400", "--max-trials", "10",
        "--stability-percentage", "0.0001", "--max-duration", "1"));
    long seconds = (System.nanoTime() - start) / 1_000_000_000;

    assertEquals(BenchMain.EXIT_INCOMPLETE, result.exit(), result.err());
    assertTrue(seconds < 5, "stopped after " + seconds + " s");
    assertTrue(result.err().contains("--max-duration reached"), result.err());
  }

  @Test
  void contradictoryOptionsAreUsageErrors() {
    assertEquals(2, Bench.quick("--rpc", "live", "--mode", "async").exit());
    assertEquals(2, Bench.quick("--concurrency-range", "4").exit(), "no model");
    assertEquals(2, Bench.quick("-m", "simple", "--concurrency-range", "1",
        "--request-rate-range", "10").exit());
    assertEquals(2, Bench.quick("-m", "simple", "--concurrency-range", "3:1").exit());
    assertEquals(2, Bench.quick("-m", "simple", "--percentile", "42").exit());
    assertEquals(2, Bench.quick("-m", "simple", "--in-process").exit(), "no repository");
  }
}
