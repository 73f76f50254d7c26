package dev.gantry.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** What one window of recorded requests holds, the sums of requests in a row included. */
class WindowRecorderTest {
  private static final ClientTime CLIENT = ClientTime.NONE;

  @Test
  void sumsEachTwoRequestsInARow() {
    WindowRecorder recorder = new WindowRecorder();
    recorder.succeeded(1_000_000, CLIENT);
    recorder.succeeded(3_000_000, CLIENT);
    recorder.succeeded(2_000_000, CLIENT);

    Histogram pairs = recorder.take().backToBack();

    assertEquals(2, pairs.getTotalCount());
    assertEquals(4_000_000, pairs.getMinValue(), 4_000_000 * 0.001);
    assertEquals(5_000_000, pairs.getMaxValue(), 5_000_000 * 0.001);
  }

  @Test
  void aPairSpansTheWindowsItFallsBetween() {
    WindowRecorder recorder = new WindowRecorder();
    recorder.succeeded(1_000_000, CLIENT);
    recorder.take();
    recorder.succeeded(2_000_000, CLIENT);

    WindowRecorder.Sample second = recorder.take();

    assertEquals(1, second.latencies().getTotalCount());
    assertEquals(3_000_000, second.backToBack().getMaxValue(), 3_000_000 * 0.001);
  }
}
