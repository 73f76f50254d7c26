package dev.gantry.spi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads and writes the protocol's serialisation of {@link DataType#BYTES} tensors: each element is
 * a 4-byte little-endian unsigned length followed by that many bytes.
 */
public final class BytesElements {
  private BytesElements() {}

  /**
   * Counts the elements in a serialised buffer.
   *
   * @throws IllegalArgumentException naming the element whose length runs past the buffer's end
   */
  public static long count(ByteBuffer serialized) {
    ByteBuffer data = serialized.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long count = 0;
    while (data.hasRemaining()) {
      if (data.remaining() < Integer.BYTES) {
        throw new IllegalArgumentException(
            "element " + count + " has a truncated 4-byte length prefix ("
                + data.remaining() + " bytes left)");
      }
      long length = Integer.toUnsignedLong(data.getInt());
      if (length > data.remaining()) {
        throw new IllegalArgumentException(
            "element " + count + " declares " + length + " bytes but only "
                + data.remaining() + " remain");
      }
      data.position(data.position() + (int) length);
      count++;
    }
    return count;
  }

  /**
   * The element count of a BYTES tensor handed to a backend, checked against its shape.
   *
   * @param name the tensor's name, for the message
   * @throws InferenceException naming the tensor when its elements overrun the buffer or do not
   *     fill its shape exactly
   */
  public static int checkedCount(String name, Tensor tensor) throws InferenceException {
    long count;
    try {
      count = count(tensor.data());
    } catch (IllegalArgumentException e) {
      throw new InferenceException("input '" + name + "': " + e.getMessage(), e);
    }
    if (count != tensor.elementCount()) {
      throw new InferenceException("input '" + name + "' of shape " + Shapes.format(tensor.shape())
          + " needs " + tensor.elementCount() + " BYTES elements, got " + count);
    }
    return Math.toIntExact(count);
  }

  /** Splits a serialised buffer (already checked by {@link #count}) into its elements. */
  public static byte[][] split(ByteBuffer serialized, int count) {
    ByteBuffer data = serialized.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    byte[][] elements = new byte[count][];
    for (int i = 0; i < count; i++) {
      byte[] element = new byte[data.getInt()];
      data.get(element);
      elements[i] = element;
    }
    return elements;
  }

  /** Serialises elements into a new little-endian buffer. */
  public static ByteBuffer join(byte[][] elements) {
    int size = 0;
    for (byte[] element : elements) {
      size = Math.addExact(size, Integer.BYTES + element.length);
    }
    ByteBuffer data = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    for (byte[] element : elements) {
      data.putInt(element.length).put(element);
    }
    return data.flip();
  }

  /** Serialises strings as UTF-8 elements. */
  public static ByteBuffer joinStrings(String[] elements) {
    byte[][] bytes = new byte[elements.length][];
    for (int i = 0; i < elements.length; i++) {
      bytes[i] = elements[i].getBytes(StandardCharsets.UTF_8);
    }
    return join(bytes);
  }
}
