package dev.gantry.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** When the last three windows agree, on throughput and the latency judged. */
class StabilityTest {
  @Test
  void threeWindowsWithinThePercentageAreStable() {
    assertTrue(Stability.isStable(List.of(window(500, 9000), window(1000, 1000),
        window(1050, 1040), window(1000, 1090)), 10, 0));
  }

  @Test
  void throughputOrLatencyOutsideThePercentageIsNot() {
    assertFalse(Stability.isStable(List.of(window(1000, 1000), window(1000, 1000),
        window(1200, 1000)), 10, 0));
    assertFalse(Stability.isStable(List.of(window(1000, 1000), window(1000, 1000),
        window(1000, 1200)), 10, 0));
  }

  @Test
  void judgesTheChosenPercentile() {
    Window spiky = window(1000, 1000, 50_000);
    List<Window> windows = List.of(window(1000, 1000), window(1000, 1000), spiky);
    assertTrue(Stability.isStable(windows, 10, 50));
    assertFalse(Stability.isStable(windows, 10, 99));
  }

  @Test
  void fewerThanThreeOrEmptyWindowsAreNot() {
    assertFalse(Stability.isStable(List.of(window(1000, 1000), window(1000, 1000)), 10, 0));
    assertFalse(Stability.isStable(List.of(window(0, 0), window(0, 0), window(0, 0)), 10, 0));
  }

  /** A one-second window of {@code requests} requests taking {@code micros} each, plus outliers. */
  private static Window window(long requests, long micros, long... outliers) {
    Histogram latencies = new Histogram(3);
    for (long i = 0; i < requests - outliers.length; i++) {
      latencies.recordValue(micros * 1000);
    }
    for (long outlier : outliers) {
      for (int i = 0; i < requests / 50; i++) {
        latencies.recordValue(outlier * 1000);
      }
    }
    return new Window(1_000_000_000, new WindowRecorder.Sample(latencies, new Histogram(3), requests, Map.of(), 0, 0,
        requests, 0), ServerStats.ZERO, CpuTime.NONE);
  }
}
