package dev.gantry.client;

import java.util.Arrays;

/** Element counts of tensor shapes, checked for negative dimensions and overflow. */
final class Shapes {
  private Shapes() {}

  /**
   * The number of elements a tensor of this shape holds.
   *
   * @param tensor how to name the tensor in an error, e.g. {@code input "INPUT0"}
   * @throws IllegalArgumentException if a dimension is negative or the count overflows a long
   */
  static long elementCount(String tensor, long[] shape) {
    long count = 1;
    for (long dimension : shape) {
      if (dimension < 0) {
        throw new IllegalArgumentException(
            tensor + ": shape " + Arrays.toString(shape) + " has a negative dimension");
      }
      try {
        count = Math.multiplyExact(count, dimension);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException(
            tensor + ": shape " + Arrays.toString(shape) + " holds too many elements", e);
      }
    }
    return count;
  }
}
