package dev.gantry.spi;

import java.util.Arrays;

/** Arithmetic on tensor shapes that refuses to overflow, shared by the server and the backends. */
public final class Shapes {
  /** Marks a dimension whose size is only known per request. */
  public static final long VARIABLE = -1;

  private Shapes() {}

  /**
   * The number of elements of a shape: the product of its dimensions, 1 for a scalar.
   *
   * @throws ArithmeticException if the product does not fit in a {@code long}
   * @throws IllegalArgumentException if a dimension is negative
   */
  public static long elementCount(long[] shape) {
    long count = 1;
    for (long dim : shape) {
      if (dim < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      count = Math.multiplyExact(count, dim);
    }
    return count;
  }

  /** Whether a concrete shape fits a declared one, where {@link #VARIABLE} matches any size. */
  public static boolean matches(long[] declared, long[] actual) {
    if (declared.length != actual.length) {
      return false;
    }
    for (int i = 0; i < declared.length; i++) {
      if (declared[i] != VARIABLE && declared[i] != actual[i]) {
        return false;
      }
    }
    return true;
  }

  /** The shape in the protocol's notation, {@code [-1,3,224,224]}. */
  public static String format(long[] shape) {
    return Arrays.toString(shape).replace(" ", "");
  }
}
