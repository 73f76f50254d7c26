package dev.gantry.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HalfPrecisionTest {
  @Test
  void narrowsKnownValuesToFp16() {
    assertFp16(0x0000, 0.0f);
    assertFp16(0x8000, -0.0f);
    assertFp16(0x3c00, 1.0f);
    assertFp16(0xc000, -2.0f);
    assertFp16(0x3555, 1.0f / 3);
    assertFp16(0x2e66, 0.1f);
    assertFp16(0x7bff, 65504.0f);
    assertFp16(0x0400, 0x1p-14f);
    assertFp16(0x0001, 0x1p-24f);
    assertFp16(0x03ff, 0x1.ff8p-15f);
    assertFp16(0x7c00, Float.POSITIVE_INFINITY);
    assertFp16(0xfc00, Float.NEGATIVE_INFINITY);
  }

  @Test
  void roundsFp16ToNearestTiesToEven() {
    // 1 + 2^-11 lies halfway between 1 and the next FP16 value 1 + 2^-10; ties go to the even 1.
    assertFp16(0x3c00, 1.0f + 0x1p-11f);
    // 1 + 3 * 2^-11 lies halfway between 1 + 2^-10 (odd) and 1 + 2^-9 (even).
    assertFp16(0x3c02, 1.0f + 3 * 0x1p-11f);
    assertFp16(0x3c01, 1.0f + 0x1p-11f + 0x1p-20f);
    // 65520 is halfway between the largest FP16 value and the next power of two: overflow.
    assertFp16(0x7c00, 65520.0f);
    assertFp16(0x7bff, 65519.0f);
    // Half of the smallest subnormal ties to zero; a little more rounds up to it.
    assertFp16(0x0000, 0x1p-25f);
    assertFp16(0x0001, 0x1.000002p-25f);
    assertFp16(0x0002, 0x1.4p-23f);
    assertFp16(0x0004, 0x1.cp-23f);
    assertFp16(0x0000, Float.MIN_VALUE);
  }

  @Test
  void widensFp16Exactly() {
    assertEquals(1.0f, HalfPrecision.fp16ToFloat((short) 0x3c00));
    assertEquals(-2.0f, HalfPrecision.fp16ToFloat((short) 0xc000));
    assertEquals(65504.0f, HalfPrecision.fp16ToFloat((short) 0x7bff));
    assertEquals(0x1p-24f, HalfPrecision.fp16ToFloat((short) 0x0001));
    assertEquals(0.099975586f, HalfPrecision.fp16ToFloat((short) 0x2e66));
    assertEquals(Float.NEGATIVE_INFINITY, HalfPrecision.fp16ToFloat((short) 0xfc00));
    assertEquals(
        Float.floatToRawIntBits(-0.0f),
        Float.floatToRawIntBits(HalfPrecision.fp16ToFloat((short) 0x8000)));
    assertTrue(Float.isNaN(HalfPrecision.fp16ToFloat((short) 0x7e00)));
  }

  @Test
  void everyFp16ValueSurvivesARoundTrip() {
    for (int bits = 0; bits <= 0xffff; bits++) {
      float value = HalfPrecision.fp16ToFloat((short) bits);
      short back = HalfPrecision.floatToFp16(value);
      if (Float.isNaN(value)) {
        assertTrue(
            Float.isNaN(HalfPrecision.fp16ToFloat(back)), "NaN " + Integer.toHexString(bits));
      } else {
        assertEquals(bits, back & 0xffff, "FP16 " + Integer.toHexString(bits));
      }
    }
  }

  @Test
  void narrowsKnownValuesToBf16() {
    assertBf16(0x3f80, 1.0f);
    assertBf16(0xc000, -2.0f);
    assertBf16(0x4049, (float) Math.PI);
    assertBf16(0x3dcd, 0.1f);
    assertBf16(0x7f80, Float.POSITIVE_INFINITY);
    assertBf16(0x7f80, Float.MAX_VALUE);
    // Ties to even: 0x3f808000 goes down to the even 0x3f80, 0x3f818000 up to the even 0x3f82.
    assertBf16(0x3f80, Float.intBitsToFloat(0x3f80_8000));
    assertBf16(0x3f82, Float.intBitsToFloat(0x3f81_8000));
    assertBf16(0x3f81, Float.intBitsToFloat(0x3f80_8001));
    assertTrue(Float.isNaN(HalfPrecision.bf16ToFloat(HalfPrecision.floatToBf16(Float.NaN))));
    assertTrue(
        Float.isNaN(
            HalfPrecision.bf16ToFloat(
                HalfPrecision.floatToBf16(Float.intBitsToFloat(0x7f80_0001)))));
  }

  @Test
  void everyBf16ValueSurvivesARoundTrip() {
    for (int bits = 0; bits <= 0xffff; bits++) {
      float value = HalfPrecision.bf16ToFloat((short) bits);
      if (!Float.isNaN(value)) {
        assertEquals(
            bits, HalfPrecision.floatToBf16(value) & 0xffff, "BF16 " + Integer.toHexString(bits));
      }
    }
  }

  private static void assertFp16(int expected, float value) {
    assertEquals(
        Integer.toHexString(expected),
        Integer.toHexString(HalfPrecision.floatToFp16(value) & 0xffff),
        "FP16 of " + value);
  }

  private static void assertBf16(int expected, float value) {
    assertEquals(
        Integer.toHexString(expected),
        Integer.toHexString(HalfPrecision.floatToBf16(value) & 0xffff),
        "BF16 of " + value);
  }
}
