package dev.gantry.bench;

import dev.gantry.client.TensorDatatype;
import java.nio.ByteBuffer;

/**
 * One input tensor of one benchmark request in the protocol's raw encoding (little-endian,
 * row-major; BYTES as length-prefixed elements), so that the same bytes can go over gRPC or
 * straight into a backend.
 *
 * @param name the input's name
 * @param datatype its element type
 * @param shape its concrete shape
 * @param data its bytes, from position to limit; never modified once built
 */
record TensorData(String name, TensorDatatype datatype, long[] shape, ByteBuffer data) {
  TensorData {
    shape = shape.clone();
    data = data.slice();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** A view of the bytes that callers may read without disturbing others. */
  @Override
  public ByteBuffer data() {
    return data.duplicate();
  }

  /** How many bytes the tensor's data takes. */
  int byteSize() {
    return data.remaining();
  }
}
