package dev.gantry.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.gantry.client.InferenceClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code --shared-memory system} against a real server on this host. */
@ExtendWith(ExampleServer.class)
class SharedMemoryModeTest {
  @TempDir Path dir;

  @Test
  void requestsPassTheirTensorsThroughSystemSharedMemoryAndCleanUp(ExampleServer.Running server)
      throws IOException {
    Path json = dir.resolve("result.json");
    Bench.Result result = Bench.quick("-u", server.url(), "-m", "simple", "--mode", "async",
        "--shared-memory", "system", "--output-shared-memory-size", "64",
        "--concurrency-range", "2", "--json", json.toString());

    assertEquals(0, result.exit(), result.err());
    JsonObject level = Bench.json(json).getAsJsonArray("levels").get(0).getAsJsonObject();
    assertTrue(level.get("successes").getAsLong() > 0, level.toString());
    assertEquals(0, level.getAsJsonObject("errors").size(), level.toString());
    try (InferenceClient client = InferenceClient.builder().target(server.url()).build()) {
      assertEquals(0, client.systemSharedMemoryStatus("").size(), "the region is unregistered");
    }
    String prefix = "gantry-bench-" + ProcessHandle.current().pid() + "-";
    try (Stream<Path> objects = Files.list(Path.of("/dev/shm"))) {
      assertEquals(0, objects.filter(p -> p.getFileName().toString().startsWith(prefix)).count(),
          "the shared memory object is removed");
    }
  }

  @Test
  void outputsLargerThanTheirRoomFailTheRequests(ExampleServer.Running server) {
    Bench.Result result = Bench.quick("-u", server.url(), "-m", "simple",
        "--shared-memory", "system", "--output-shared-memory-size", "16",
        "--concurrency-range", "1");

    assertEquals(BenchMain.EXIT_ERRORS, result.exit(), result.out() + result.err());
    assertTrue(result.err().contains("100.00% of the requests failed"), result.err());
  }

  @Test
  void sharedMemoryNeedsAServer() {
    Bench.Result result = Bench.run(java.util.List.of("--in-process", "--model-repository", "x",
        "-m", "simple", "--shared-memory", "system"));

    assertEquals(2, result.exit());
    assertTrue(result.err().contains("--shared-memory system needs a server and --rpc infer"),
        result.err());
  }
}
