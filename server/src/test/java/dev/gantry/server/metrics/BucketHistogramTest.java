package dev.gantry.server.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.codahale.metrics.Snapshot;
import org.junit.jupiter.api.Test;

class BucketHistogramTest {
  @Test
  void aValueOnABoundCountsInThatBucketAndAboveTheLastInTheOverflow() {
    BucketHistogram histogram = new BucketHistogram(new long[] {10, 20, 40});
    histogram.update(10);
    histogram.update(11);
    histogram.update(40);
    histogram.update(41);
    histogram.update(0);
    BucketHistogram.Counts counts = histogram.counts();
    assertArrayEquals(new long[] {2, 1, 1, 1}, counts.perBucket());
    assertEquals(5, counts.count());
    assertEquals(102, counts.sum());
    assertEquals(5, histogram.getCount());
  }

  @Test
  void repeatedObservationsCountEachTime() {
    BucketHistogram histogram = new BucketHistogram(new long[] {10, 20});
    histogram.update(15, 3);
    assertArrayEquals(new long[] {0, 3, 0}, histogram.counts().perBucket());
    assertEquals(45, histogram.counts().sum());
    assertEquals(3, histogram.getCount());
  }

  @Test
  void dropwizardSnapshotIsAtBucketResolution() {
    BucketHistogram histogram = new BucketHistogram(new long[] {10, 20, 40});
    for (int i = 0; i < 9; i++) {
      histogram.update(5);
    }
    histogram.update(1000);
    Snapshot snapshot = histogram.getSnapshot();
    assertEquals(10, snapshot.getMedian());
    assertEquals(40, snapshot.getMax(), "above the last bound counts at the last bound");
    assertEquals(10, snapshot.getMin());
  }

  @Test
  void durationBoundsAreSortedNanoseconds() {
    long[] bounds = BucketHistogram.DURATION_NANOS;
    assertEquals(50_000, bounds[0]);
    assertEquals(60_000_000_000L, bounds[bounds.length - 1]);
    for (int i = 1; i < bounds.length; i++) {
      assertEquals(true, bounds[i] > bounds[i - 1], "sorted at " + i);
    }
  }
}
