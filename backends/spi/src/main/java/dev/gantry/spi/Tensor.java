package dev.gantry.spi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A tensor as it travels through Gantry: a datatype, a shape and its elements as little-endian
 * bytes, row-major with no padding.
 *
 * <p>The buffer's position-to-limit range is the data; the buffer may be direct (backends that can
 * wrap native memory avoid a copy) or a view of a received message. A tensor never boxes its
 * elements. For {@link DataType#BYTES} the data is a sequence of elements, each a 4-byte
 * little-endian length followed by that many bytes.
 */
public final class Tensor {
  private final DataType dataType;
  private final long[] shape;
  private final ByteBuffer data;

  /**
   * @throws IllegalArgumentException if a fixed-size datatype's byte count does not match the shape
   */
  public Tensor(DataType dataType, long[] shape, ByteBuffer data) {
    this.dataType = dataType;
    this.shape = shape.clone();
    this.data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    if (dataType.isFixedSize()) {
      long expected = Math.multiplyExact(Shapes.elementCount(this.shape), dataType.elementSize());
      if (this.data.remaining() != expected) {
        throw new IllegalArgumentException(
            dataType + " tensor of shape " + Shapes.format(this.shape) + " needs " + expected
                + " bytes, got " + this.data.remaining());
      }
    }
  }

  public DataType dataType() {
    return dataType;
  }

  /** A copy of the shape. */
  public long[] shape() {
    return shape.clone();
  }

  /** The size of one dimension, without copying the shape. */
  public long dim(int index) {
    return shape[index];
  }

  public int rank() {
    return shape.length;
  }

  public long elementCount() {
    return Shapes.elementCount(shape);
  }

  /** A little-endian view of the data from position 0; reading it does not disturb the tensor. */
  public ByteBuffer data() {
    return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  public int byteSize() {
    return data.remaining();
  }

  @Override
  public String toString() {
    return dataType + Shapes.format(shape);
  }
}
