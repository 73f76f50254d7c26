package dev.gantry.backend.onnxruntime;

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

  static Tensor int32(long[] shape, int... values) {
    ByteBuffer data = little(values.length * Integer.BYTES);
    data.asIntBuffer().put(values);
    return new Tensor(DataType.INT32, shape, data);
  }

  static Tensor int64(long[] shape, long... values) {
    ByteBuffer data = little(values.length * Long.BYTES);
    data.asLongBuffer().put(values);
    return new Tensor(DataType.INT64, shape, data);
  }

  static Tensor bytes(long[] shape, String... values) {
    return new Tensor(DataType.BYTES, shape, BytesElements.joinStrings(values));
  }

  /** The same tensor with its data in a direct buffer. */
  static Tensor direct(Tensor tensor) {
    ByteBuffer data = ByteBuffer.allocateDirect(tensor.byteSize()).put(tensor.data()).flip();
    return new Tensor(tensor.dataType(), tensor.shape(), data);
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

  static List<String> strings(Tensor tensor) {
    byte[][] elements = BytesElements.split(tensor.data(), (int) tensor.elementCount());
    return Arrays.stream(elements).map(bytes -> new String(bytes, StandardCharsets.UTF_8)).toList();
  }

  private static ByteBuffer little(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }
}
