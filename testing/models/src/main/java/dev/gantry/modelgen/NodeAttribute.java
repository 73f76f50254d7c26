package dev.gantry.modelgen;

import com.google.protobuf.ByteString;
import dev.gantry.modelgen.onnx.AttributeProto;
import dev.gantry.modelgen.onnx.AttributeProto.AttributeType;
import dev.gantry.spi.DataType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A named argument of an ONNX node, such as Cast's {@code to} or Transpose's {@code perm}.
 *
 * <p>It exists so that {@link OnnxModelBuilder#node} callers can pass attributes without touching
 * the generated protobuf classes; each factory sets the value and the matching attribute type,
 * which ONNX requires to agree.
 */
public final class NodeAttribute {
  private final AttributeProto proto;

  private NodeAttribute(AttributeProto proto) {
    this.proto = proto;
  }

  /** An integer attribute ({@code INT}). */
  public static NodeAttribute ofInt(String name, long value) {
    return new NodeAttribute(
        AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(value).build());
  }

  /** A list of integers ({@code INTS}), for example a permutation or a list of axes. */
  public static NodeAttribute ofInts(String name, long... values) {
    AttributeProto.Builder attribute =
        AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS);
    for (long value : values) {
      attribute.addInts(value);
    }
    return new NodeAttribute(attribute.build());
  }

  /** A float attribute ({@code FLOAT}). */
  public static NodeAttribute ofFloat(String name, float value) {
    return new NodeAttribute(
        AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF(value).build());
  }

  /** A string attribute ({@code STRING}), stored as UTF-8. */
  public static NodeAttribute ofString(String name, String value) {
    return new NodeAttribute(
        AttributeProto.newBuilder()
            .setName(name)
            .setType(AttributeType.STRING)
            .setS(ByteString.copyFrom(value, StandardCharsets.UTF_8))
            .build());
  }

  /**
   * A tensor attribute ({@code TENSOR}), for example Constant's {@code value}; the data is encoded
   * as for {@link OnnxModelBuilder#initializer(String, DataType, long[], ByteBuffer)}.
   */
  public static NodeAttribute ofTensor(
      String name, DataType type, long[] dims, ByteBuffer littleEndianData) {
    return new NodeAttribute(
        AttributeProto.newBuilder()
            .setName(name)
            .setType(AttributeType.TENSOR)
            .setT(TensorProtos.of(name, type, dims, littleEndianData))
            .build());
  }

  AttributeProto proto() {
    return proto;
  }
}
