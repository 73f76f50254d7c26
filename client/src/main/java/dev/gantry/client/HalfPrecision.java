package dev.gantry.client;

/**
 * Conversions between {@code float} and the two 16-bit floating-point formats of the protocol.
 *
 * <p>FP16 is IEEE 754 binary16; BF16 (bfloat16) keeps the exponent range of {@code float} with a
 * 7-bit fraction. Java 17 has neither type, so tensors of these datatypes are built from and read
 * back into {@code float} values through this class. Narrowing rounds to the nearest representable
 * value, ties to even, as IEEE 754 does; widening is exact. Values are carried as the raw 16 bits
 * in a {@code short}.
 */
public final class HalfPrecision {
  private HalfPrecision() {}

  /** The FP16 bits nearest to {@code value}; too large a magnitude becomes infinity. */
  public static short floatToFp16(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 16) & 0x8000;
    int exponent = (bits >>> 23) & 0xff;
    int fraction = bits & 0x7f_ffff;
    if (exponent == 0xff) {
      int nan = fraction == 0 ? 0 : 0x200 | (fraction >>> 13);
      return (short) (sign | 0x7c00 | nan);
    }
    int halfExponent = exponent - 127 + 15;
    if (halfExponent >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (halfExponent <= 0) {
      return (short) (sign | subnormalFp16(fraction, halfExponent));
    }
    int half = (halfExponent << 10) | (fraction >>> 13);
    return (short) (sign | roundHalfEven(half, fraction & 0x1fff, 0x1000));
  }

  /** The {@code float} equal to the FP16 value with these bits. */
  public static float fp16ToFloat(short fp16) {
    int bits = fp16 & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exponent = (bits >>> 10) & 0x1f;
    int fraction = bits & 0x3ff;
    if (exponent == 0) {
      float magnitude = fraction * 0x1p-24f;
      return sign == 0 ? magnitude : -magnitude;
    }
    if (exponent == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f80_0000 | (fraction << 13));
    }
    return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (fraction << 13));
  }

  /** The BF16 bits nearest to {@code value}; NaN stays a (quiet) NaN. */
  public static short floatToBf16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if (Float.isNaN(value)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    return (short) (roundHalfEven(bits >>> 16, bits & 0xffff, 0x8000));
  }

  /** The {@code float} equal to the BF16 value with these bits. */
  public static float bf16ToFloat(short bf16) {
    return Float.intBitsToFloat((bf16 & 0xffff) << 16);
  }

  private static int subnormalFp16(int fraction, int halfExponent) {
    int shift = 14 - halfExponent;
    if (shift > 24) {
      return 0;
    }
    int significand = fraction | 0x80_0000;
    int remainder = significand & ((1 << shift) - 1);
    return roundHalfEven(significand >>> shift, remainder, 1 << (shift - 1));
  }

  private static int roundHalfEven(int truncated, int remainder, int halfway) {
    if (remainder > halfway || (remainder == halfway && (truncated & 1) != 0)) {
      return truncated + 1;
    }
    return truncated;
  }
}
