package dev.gantry.bench;

import dev.gantry.client.HalfPrecision;
import dev.gantry.client.TensorDatatype;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Writes tensor elements in the protocol's raw encoding into direct little-endian buffers, the one
 * form that both the gRPC client (sent without a copy) and the backends (wrapped without a copy)
 * take.
 */
final class RawEncoding {
  private RawEncoding() {}

  /** A zero-filled direct little-endian buffer of this many bytes. */
  static ByteBuffer allocate(long bytes) {
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("a tensor of " + bytes + " bytes is too large");
    }
    return ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Whether elements of this datatype are written with {@link #putDouble}. */
  static boolean isFloating(TensorDatatype type) {
    return type == TensorDatatype.FP16 || type == TensorDatatype.BF16 || type == TensorDatatype.FP32
        || type == TensorDatatype.FP64;
  }

  /** Appends an integer (or BOOL, 0 or 1) element of a fixed-size, non-floating datatype. */
  static void putLong(ByteBuffer out, TensorDatatype type, long value) {
    switch (type) {
      case BOOL, UINT8, INT8 -> out.put((byte) value);
      case UINT16, INT16 -> out.putShort((short) value);
      case UINT32, INT32 -> out.putInt((int) value);
      case UINT64, INT64 -> out.putLong(value);
      default -> throw new IllegalArgumentException(type + " elements are not integers");
    }
  }

  /** Appends an element of a floating-point datatype. */
  static void putDouble(ByteBuffer out, TensorDatatype type, double value) {
    switch (type) {
      case FP16 -> out.putShort(HalfPrecision.floatToFp16((float) value));
      case BF16 -> out.putShort(HalfPrecision.floatToBf16((float) value));
      case FP32 -> out.putFloat((float) value);
      case FP64 -> out.putDouble(value);
      default -> throw new IllegalArgumentException(type + " elements are not floating-point");
    }
  }

  /** BYTES elements, each a 4-byte little-endian length followed by its bytes. */
  static ByteBuffer strings(List<byte[]> elements) {
    long size = 0;
    for (byte[] element : elements) {
      size += Integer.BYTES + element.length;
    }
    ByteBuffer out = allocate(size);
    for (byte[] element : elements) {
      out.putInt(element.length).put(element);
    }
    return out.flip();
  }
}
