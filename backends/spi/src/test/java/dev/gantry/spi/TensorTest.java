package dev.gantry.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Tensors hold exactly the bytes their shape needs; shapes refuse to overflow. */
class TensorTest {
  @Test
  void fixedSizeDataMustMatchTheShape() {
    assertEquals(6, new Tensor(DataType.FP16, new long[] {3}, ByteBuffer.allocate(6)).byteSize());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Tensor(DataType.FP32, new long[] {2, 2}, ByteBuffer.allocate(15)));
    assertTrue(e.getMessage().contains("needs 16 bytes, got 15"), e.getMessage());
  }

  @Test
  void dataIsALittleEndianViewThatReadingDoesNotDisturb() {
    ByteBuffer bytes = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 7);
    Tensor tensor = new Tensor(DataType.INT32, new long[] {}, bytes);
    assertEquals(7, tensor.data().getInt());
    assertEquals(7, tensor.data().getInt());
    assertEquals(0, tensor.rank());
    assertEquals(1, tensor.elementCount());
  }

  @Test
  void shapeArithmetic() {
    assertEquals(24, Shapes.elementCount(new long[] {2, 3, 4}));
    assertThrows(ArithmeticException.class,
        () -> Shapes.elementCount(new long[] {1L << 40, 1L << 40}));
    assertThrows(IllegalArgumentException.class, () -> Shapes.elementCount(new long[] {-1}));
    assertTrue(Shapes.matches(new long[] {-1, 3}, new long[] {8, 3}));
    assertFalse(Shapes.matches(new long[] {-1, 3}, new long[] {8, 4}));
    assertEquals("[-1,3]", Shapes.format(new long[] {-1, 3}));
    assertArrayEquals(new long[] {2}, new TensorSpec("x", DataType.FP32, new long[] {2}).shape());
  }

  @Test
  void wireNames() {
    assertEquals(DataType.BF16, DataType.fromWireName("BF16").orElseThrow());
    assertTrue(DataType.fromWireName("FLOAT").isEmpty());
    assertFalse(DataType.BYTES.isFixedSize());
  }
}
