package dev.gantry.server.metrics;

import com.codahale.metrics.Histogram;
import com.codahale.metrics.Reservoir;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.WeightedSnapshot;
import com.codahale.metrics.WeightedSnapshot.WeightedSample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Dropwizard {@link Histogram} that counts observations in fixed buckets and keeps their sum,
 * so it can be exported as a Prometheus histogram ({@code _bucket}, {@code _sum}, {@code _count})
 * that aggregates across replicas, and feed the statistics RPC's counts and totals.
 *
 * <p>Dropwizard has no bucketed histogram; its reservoirs keep samples. This one is a Dropwizard
 * {@code Histogram} with a bucket-counting {@link Reservoir}, so it lives in the same registry and
 * Dropwizard's own reporters (JMX) still see a histogram; their quantiles, mean and deviation are
 * at bucket resolution (each observation counted at its bucket's upper bound, those above the
 * last bound at the last bound).
 */
final class BucketHistogram extends Histogram {
  /** Bounds for durations in nanoseconds: 50 microseconds to 60 seconds. */
  static final long[] DURATION_NANOS = nanos(
      0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
      1, 2.5, 5, 10, 30, 60);

  /** Bounds for batch sizes, in requests or items. */
  static final long[] BATCH_SIZES = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

  private final Buckets reservoir;

  BucketHistogram(long[] bounds) {
    this(new Buckets(bounds));
  }

  private BucketHistogram(Buckets reservoir) {
    super(reservoir);
    this.reservoir = reservoir;
  }

  @Override
  public void update(long value) {
    reservoir.update(value, 1);
  }

  /** Records {@code times} observations of the same value, e.g. one per request of a batch. */
  void update(long value, int times) {
    reservoir.update(value, times);
  }

  /** The number of observations: the same total the buckets add up to. */
  @Override
  public long getCount() {
    return counts().count();
  }

  /** The bucket counts and the sum as they are now. */
  Counts counts() {
    return reservoir.counts();
  }

  /**
   * The observations per bucket: {@code perBucket[i]} counts values at most {@code bounds[i]} and
   * above the bound before; the last entry counts those above every bound.
   */
  record Counts(long[] bounds, long[] perBucket, long sum) {
    long count() {
      long count = 0;
      for (long n : perBucket) {
        count += n;
      }
      return count;
    }
  }

  private static long[] nanos(double... seconds) {
    return Arrays.stream(seconds).mapToLong(s -> Math.round(s * TimeUnit.SECONDS.toNanos(1)))
        .toArray();
  }

  /** The reservoir: one adder per bucket and one for the sum, no lock on the update path. */
  private static final class Buckets implements Reservoir {
    private final long[] bounds;
    private final LongAdder[] perBucket;
    private final LongAdder sum = new LongAdder();

    Buckets(long[] bounds) {
      this.bounds = bounds.clone();
      this.perBucket = new LongAdder[bounds.length + 1];
      for (int i = 0; i < perBucket.length; i++) {
        perBucket[i] = new LongAdder();
      }
    }

    void update(long value, int times) {
      int at = Arrays.binarySearch(bounds, value);
      perBucket[at >= 0 ? at : -at - 1].add(times);
      sum.add(value * times);
    }

    @Override
    public void update(long value) {
      update(value, 1);
    }

    @Override
    public int size() {
      return (int) Math.min(Integer.MAX_VALUE, counts().count());
    }

    Counts counts() {
      long[] counts = new long[perBucket.length];
      for (int i = 0; i < counts.length; i++) {
        counts[i] = perBucket[i].sum();
      }
      return new Counts(bounds, counts, sum.sum());
    }

    @Override
    public Snapshot getSnapshot() {
      long[] counts = counts().perBucket();
      List<WeightedSample> samples = new ArrayList<>();
      for (int i = 0; i < counts.length; i++) {
        if (counts[i] > 0) {
          samples.add(new WeightedSample(bounds[Math.min(i, bounds.length - 1)], counts[i]));
        }
      }
      return new WeightedSnapshot(samples);
    }
  }
}
