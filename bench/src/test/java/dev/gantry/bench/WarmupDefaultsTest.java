package dev.gantry.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.OutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Each level warms up by time unless told a request count, so that a fresh JVM's JIT has settled
 * before the first window, whatever the model's speed.
 */
class WarmupDefaultsTest {
  private static MeasureSettings settings(String... args) {
    PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
    BenchMain main = new BenchMain(nowhere, nowhere, false);
    new CommandLine(main).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
    return main.measureSettings();
  }

  @Test
  void byDefaultAWarmUpLastsOneIntervalWhateverTheRequestCount() {
    MeasureSettings defaults = settings("-m", "simple", "--measurement-interval", "2000");
    assertEquals(Long.MAX_VALUE, defaults.warmupRequests());
    assertEquals(2000, defaults.warmupMillis());
  }

  @Test
  void aRequestCountEndsItEarlierAndTheTimeBoundsIt() {
    MeasureSettings counted = settings("-m", "simple", "--warmup-requests", "50",
        "--warmup-time", "8000");
    assertEquals(50, counted.warmupRequests());
    assertEquals(8000, counted.warmupMillis());
  }
}
