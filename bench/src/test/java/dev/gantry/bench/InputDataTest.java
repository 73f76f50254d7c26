package dev.gantry.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Request data from a JSON file and for BYTES inputs, end to end. */
@ExtendWith(ExampleServer.class)
class InputDataTest {
  @TempDir Path dir;

  @Test
  void sendsTheEntriesOfADataFile(ExampleServer.Running server) throws IOException {
    Path data = Files.writeString(dir.resolve("data.json"),
        "{\"data\":[{\"INPUT0\":[1,2,3,4]},{\"INPUT0\":{\"content\":[[5,6],[7,8]],\"shape\":[4]}}]}");
    Path json = dir.resolve("r.json");
    Bench.Result result = Bench.quick("-u", server.url(), "-m", "identity_fp32",
        "--input-data", data.toString(), "--json", json.toString());

    assertEquals(0, result.exit(), result.err());
    JsonObject report = Bench.json(json);
    assertEquals(data.toString(), report.getAsJsonObject("run").get("input_data").getAsString());
    JsonObject level = report.getAsJsonArray("levels").get(0).getAsJsonObject();
    assertEquals(4 * Float.BYTES, level.get("payload_bytes").getAsLong());
    assertTrue(level.get("successes").getAsLong() > 0);
  }

  @Test
  void repeatsAnEntryForEachItemOfABatch(ExampleServer.Running server) throws IOException {
    Path data = Files.writeString(dir.resolve("data.json"), "{\"data\":[{\"INPUT0\":[1,2,3,4]}]}");
    Path json = dir.resolve("r.json");
    Bench.Result result = Bench.quick("-u", server.url(), "-m", "identity_fp32", "-b", "3",
        "--input-data", data.toString(), "--json", json.toString());

    assertEquals(0, result.exit(), result.err());
    JsonObject level = Bench.json(json).getAsJsonArray("levels").get(0).getAsJsonObject();
    assertEquals(3 * 4 * Float.BYTES, level.get("payload_bytes").getAsLong());
  }

  @Test
  void refusesAnEntryThatDoesNotFitTheModel(ExampleServer.Running server) throws IOException {
    Path data = Files.writeString(dir.resolve("data.json"),
        "{\"data\":[{\"INPUT0\":[1,2,3,4]},{\"INPUT0\":[1,2,3]}]}");
    Bench.Result result = Bench.quick("-u", server.url(), "-m", "identity_fp32",
        "--input-data", data.toString());

    assertEquals(BenchMain.EXIT_SETUP, result.exit());
    assertTrue(result.err().contains("data[1].INPUT0 has 3 elements but shape [1,4] needs 4"),
        result.err());
  }

  @Test
  void generatesStringsForBytesInputs(ExampleServer.Running server) throws IOException {
    Path json = dir.resolve("r.json");
    Bench.Result result = Bench.quick("-u", server.url(), "-m", "mixed", "--input-data", "zero",
        "--string-length", "8", "--json", json.toString());

    assertEquals(0, result.exit(), result.err());
    JsonObject level = Bench.json(json).getAsJsonArray("levels").get(0).getAsJsonObject();
    assertEquals(4 * Float.BYTES + Long.BYTES + Integer.BYTES + 8, level.get("payload_bytes").getAsLong());
    assertEquals(0, level.getAsJsonObject("errors").size(), level.toString());
  }
}
