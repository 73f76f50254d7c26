package dev.gantry.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gantry bench soak}, run briefly against a real server on the example repository: every
 * phase runs, every call ends as expected, and the report holds the memory before, at the peak
 * and after. Whether memory comes back is judged by the full soak run, not here.
 */
@ExtendWith(ExampleServer.class)
class SoakTest {
  @Test
  void aShortSoakRunsEveryPhaseAndReportsTheServersMemory(
      ExampleServer.Running gantry, @TempDir Path directory) throws Exception {
    Path report = directory.resolve("soak-results.md");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int status = BenchMain.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
        System.err, false, "soak",
        "--target", gantry.url(),
        "--metrics", "http://127.0.0.1:" + gantry.server().metricsPort() + "/metrics",
        "--pid", Long.toString(ProcessHandle.current().pid()),
        "--mixed-seconds", "2", "--threads", "2",
        "--flood-seconds", "2", "--flood-concurrency", "16",
        "--idle-seconds", "1", "--sample-seconds", "1",
        "--setup", "in-process test server",
        "--report", report.toString());
    String markdown = Files.readString(report);
    assertEquals(out.toString(StandardCharsets.UTF_8), markdown);
    assertTrue(status == 0 || status == 1, "status " + status);
    assertTrue(markdown.contains("## mixed"), markdown);
    assertTrue(markdown.contains("| INFER_SIMPLE | OK |"), markdown);
    assertTrue(markdown.contains("| MALFORMED | INVALID_ARGUMENT |"), markdown);
    assertTrue(markdown.contains("## flood"), markdown);
    assertTrue(markdown.contains("| FLOOD_LARGE_BYTES |"), markdown);
    assertEquals(2, markdown.split("; 0 with an unexpected status", -1).length - 1, markdown);
    assertTrue(markdown.matches("(?s).*\\| before the flood \\| \\d+ \\|.*"), markdown);
    assertTrue(markdown.matches("(?s).*\\| peak during the flood \\| \\d+ \\|.*"), markdown);
    assertTrue(markdown.matches("(?s).*\\| after 1 s idle \\| \\d+ \\(.*"), markdown);
    assertTrue(markdown.contains("Verdict: "), markdown);
  }
}
