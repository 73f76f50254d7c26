package dev.gantry.bench;

import java.util.SplittableRandom;

/**
 * When the requests of an open loop fall due: evenly spaced at the target rate ({@code constant}),
 * or with exponentially distributed gaps of the same mean ({@code poisson}), which models many
 * independent clients.
 */
interface Schedule {
  /** Nanoseconds from one request's due time to the next one's. */
  long nextGapNanos();

  static Schedule constant(double perSecond) {
    long gap = Math.max(1, Math.round(1e9 / perSecond));
    return () -> gap;
  }

  /** Poisson arrivals at {@code perSecond}, from a generator seeded with {@code seed}. */
  static Schedule poisson(double perSecond, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double mean = 1e9 / perSecond;
    return () -> Math.max(1, Math.round(-mean * Math.log(1 - random.nextDouble())));
  }
}
