package dev.gantry.backend.tensorflow;

import dev.gantry.spi.BytesElements;
import dev.gantry.spi.DataType;
import dev.gantry.spi.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** Builds SPI tensors from Java arrays and reads them back, for assertions. */
final class TestTensors {
  private TestTensors() {}

  static Tensor fp32(long[] shape, float... values) {
    ByteBuffer data = little(values.length * Float.BYTES);
    data.asFloatBuffer().put(values);
    return new Tensor(DataType.FP32, shape, data);
  }

  static Tensor int64(long[] shape, long... values) {
    ByteBuffer data = little(values.length * Long.BYTES);
    data.asLongBuffer().put(values);
    return new Tensor(DataType.INT64, shape, data);
  }

  static Tensor bool(long[] shape, boolean... values) {
    ByteBuffer data = little(values.length);
    for (boolean value : values) {
      data.put((byte) (value ? 1 : 0));
    }
    return new Tensor(DataType.BOOL, shape, data.flip());
  }

  static Tensor bytes(long[] shape, String... values) {
    return new Tensor(DataType.BYTES, shape, BytesElements.joinStrings(values));
  }

  static Tensor bytes(long[] shape, byte[]... values) {
    return new Tensor(DataType.BYTES, shape, BytesElements.join(values));
  }

  /** The same tensor with its data in a direct buffer. */
  static Tensor direct(Tensor tensor) {
    ByteBuffer data = ByteBuffer.allocateDirect(tensor.byteSize()).put(tensor.data()).flip();
    return new Tensor(tensor.dataType(), tensor.shape(), data);
  }

  /** The same tensor with its data in a read-only view, as a received message gives it. */
  static Tensor readOnly(Tensor tensor) {
    return new Tensor(tensor.dataType(), tensor.shape(), tensor.data().asReadOnlyBuffer());
  }

  static float[] floats(Tensor tensor) {
    float[] values = new float[(int) tensor.elementCount()];
    tensor.data().asFloatBuffer().get(values);
    return values;
  }

  static int[] ints(Tensor tensor) {
    int[] values = new int[(int) tensor.elementCount()];
    tensor.data().asIntBuffer().get(values);
    return values;
  }

  static long[] longs(Tensor tensor) {
    long[] values = new long[(int) tensor.elementCount()];
    tensor.data().asLongBuffer().get(values);
    return values;
  }

  static boolean[] bools(Tensor tensor) {
    ByteBuffer data = tensor.data();
    boolean[] values = new boolean[data.remaining()];
    for (int i = 0; i < values.length; i++) {
      values[i] = data.get(i) != 0;
    }
    return values;
  }

  static List<byte[]> elements(Tensor tensor) {
    return Arrays.asList(BytesElements.split(tensor.data(), (int) tensor.elementCount()));
  }

  static List<String> strings(Tensor tensor) {
    return elements(tensor).stream()
        .map(bytes -> new String(bytes, StandardCharsets.UTF_8))
        .toList();
  }

  private static ByteBuffer little(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }
}
