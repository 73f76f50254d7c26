package dev.gantry.modelgen;

import java.util.Random;

/** Reproducible test data: the same seed gives the same values in every backend's tests. */
public final class RandomValues {
  private RandomValues() {}

  /** {@code count} values drawn from the standard normal distribution. */
  public static float[] gaussian(int count, long seed) {
    Random random = new Random(seed);
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return values;
  }
}
