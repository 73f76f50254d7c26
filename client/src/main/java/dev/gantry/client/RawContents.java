package dev.gantry.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The protocol's raw tensor encoding: row-major, little-endian, BOOL as one byte per element and
 * BYTES as a 4-byte little-endian length followed by the bytes, per element.
 *
 * <p>Encoding copies each Java array exactly once, into a buffer the resulting {@link ByteString}
 * wraps without copying again.
 */
final class RawContents {
  private RawContents() {}

  static ByteString ofBooleans(boolean[] values) {
    byte[] bytes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = (byte) (values[i] ? 1 : 0);
    }
    return UnsafeByteOperations.unsafeWrap(bytes);
  }

  static ByteString ofBytes(byte[] values) {
    return ByteString.copyFrom(values);
  }

  static ByteString ofShorts(short[] values) {
    ByteBuffer buffer = allocate(values.length, Short.BYTES);
    buffer.asShortBuffer().put(values);
    return UnsafeByteOperations.unsafeWrap(buffer.array());
  }

  static ByteString ofInts(int[] values) {
    ByteBuffer buffer = allocate(values.length, Integer.BYTES);
    buffer.asIntBuffer().put(values);
    return UnsafeByteOperations.unsafeWrap(buffer.array());
  }

  static ByteString ofLongs(long[] values) {
    ByteBuffer buffer = allocate(values.length, Long.BYTES);
    buffer.asLongBuffer().put(values);
    return UnsafeByteOperations.unsafeWrap(buffer.array());
  }

  static ByteString ofFloats(float[] values) {
    ByteBuffer buffer = allocate(values.length, Float.BYTES);
    buffer.asFloatBuffer().put(values);
    return UnsafeByteOperations.unsafeWrap(buffer.array());
  }

  static ByteString ofDoubles(double[] values) {
    ByteBuffer buffer = allocate(values.length, Double.BYTES);
    buffer.asDoubleBuffer().put(values);
    return UnsafeByteOperations.unsafeWrap(buffer.array());
  }

  static ByteString ofFp16(float[] values) {
    ByteBuffer buffer = allocate(values.length, Short.BYTES);
    for (float value : values) {
      buffer.putShort(HalfPrecision.floatToFp16(value));
    }
    return UnsafeByteOperations.unsafeWrap(buffer.array());
  }

  static ByteString ofBf16(float[] values) {
    ByteBuffer buffer = allocate(values.length, Short.BYTES);
    for (float value : values) {
      buffer.putShort(HalfPrecision.floatToBf16(value));
    }
    return UnsafeByteOperations.unsafeWrap(buffer.array());
  }

  static ByteString ofElements(List<byte[]> elements) {
    int size = 0;
    for (byte[] element : elements) {
      size = Math.addExact(size, Math.addExact(Integer.BYTES, element.length));
    }
    ByteBuffer buffer = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    for (byte[] element : elements) {
      buffer.putInt(element.length).put(element);
    }
    return UnsafeByteOperations.unsafeWrap(buffer.array());
  }

  /**
   * The elements of raw BYTES contents.
   *
   * @throws IllegalArgumentException if a length runs past the end of the contents
   */
  static List<byte[]> elements(ByteBuffer contents) {
    ByteBuffer buffer = contents.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    List<byte[]> elements = new ArrayList<>();
    try {
      while (buffer.hasRemaining()) {
        int length = buffer.getInt();
        if (length < 0 || length > buffer.remaining()) {
          throw new IllegalArgumentException(
              "BYTES element "
                  + elements.size()
                  + " claims "
                  + Integer.toUnsignedString(length)
                  + " bytes but "
                  + buffer.remaining()
                  + " remain");
        }
        byte[] element = new byte[length];
        buffer.get(element);
        elements.add(element);
      }
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException(
          "BYTES contents end inside the length of element " + elements.size(), e);
    }
    return elements;
  }

  /** A little-endian view of the contents, sharing their bytes. */
  static ByteBuffer view(ByteString contents) {
    return contents.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  private static ByteBuffer allocate(int count, int elementSize) {
    return ByteBuffer.allocate(Math.multiplyExact(count, elementSize))
        .order(ByteOrder.LITTLE_ENDIAN);
  }
}
