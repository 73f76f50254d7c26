package dev.gantry.server.e2e;

import com.google.protobuf.ByteString;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Little-endian raw tensor bytes for building requests and reading responses in tests. */
final class Tensors {
  private Tensors() {}

  static ByteString floats(float... values) {
    ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      buffer.putFloat(v);
    }
    return ByteString.copyFrom(buffer.flip());
  }

  static ByteString longs(long... values) {
    ByteBuffer buffer = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      buffer.putLong(v);
    }
    return ByteString.copyFrom(buffer.flip());
  }

  static ByteString strings(String... values) {
    ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    for (String v : values) {
      byte[] bytes = v.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      buffer.putInt(bytes.length).put(bytes);
    }
    return ByteString.copyFrom(buffer.flip());
  }

  static float[] floatsOf(ByteString raw) {
    ByteBuffer buffer = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    float[] values = new float[buffer.remaining() / 4];
    buffer.asFloatBuffer().get(values);
    return values;
  }

  static String[] stringsOf(ByteString raw) {
    ByteBuffer buffer = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    java.util.List<String> values = new java.util.ArrayList<>();
    while (buffer.hasRemaining()) {
      byte[] bytes = new byte[buffer.getInt()];
      buffer.get(bytes);
      values.add(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
    }
    return values.toArray(String[]::new);
  }

  static ModelInferRequest.InferInputTensor input(String name, String datatype, long... shape) {
    ModelInferRequest.InferInputTensor.Builder input =
        ModelInferRequest.InferInputTensor.newBuilder().setName(name).setDatatype(datatype);
    for (long d : shape) {
      input.addShape(d);
    }
    return input.build();
  }

  /** The raw output of the response's output with this name. */
  static ByteString output(ModelInferResponse response, String name) {
    for (int i = 0; i < response.getOutputsCount(); i++) {
      if (response.getOutputs(i).getName().equals(name)) {
        return response.getRawOutputContents(i);
      }
    }
    throw new AssertionError("no output " + name + " in " + response.getOutputsList());
  }

  /** A simple-model request: INPUT0 = a, INPUT1 = b, each FP32 [rows, 16]. */
  static ModelInferRequest addSub(String model, int rows, float a, float b) {
    float[] x = new float[rows * 16];
    float[] y = new float[rows * 16];
    java.util.Arrays.fill(x, a);
    java.util.Arrays.fill(y, b);
    return ModelInferRequest.newBuilder()
        .setModelName(model)
        .addInputs(input("INPUT0", "FP32", rows, 16))
        .addInputs(input("INPUT1", "FP32", rows, 16))
        .addRawInputContents(floats(x))
        .addRawInputContents(floats(y))
        .build();
  }
}
