package dev.gantry.modelgen;

import com.google.protobuf.ByteString;
import dev.gantry.modelgen.onnx.TensorProto;
import dev.gantry.spi.BytesElements;
import dev.gantry.spi.DataType;
import dev.gantry.spi.Shapes;
import java.nio.ByteBuffer;

/**
 * Builds ONNX constant tensors from Gantry's tensor encoding, for initializers and tensor
 * attributes alike: fixed-size elements are stored as little-endian {@code raw_data}, and {@link
 * DataType#BYTES} elements (length-prefixed, as in the protocol) as {@code string_data}.
 */
final class TensorProtos {
  private TensorProtos() {}

  /**
   * A named constant tensor holding the data's elements.
   *
   * @throws IllegalArgumentException if the data does not hold exactly the shape's element count
   */
  static TensorProto of(String name, DataType type, long[] dims, ByteBuffer littleEndianData) {
    long elements = Shapes.elementCount(dims);
    TensorProto.Builder tensor =
        TensorProto.newBuilder().setName(name).setDataType(OnnxElementTypes.of(type).getNumber());
    for (long dim : dims) {
      tensor.addDims(dim);
    }
    ByteBuffer data = littleEndianData.duplicate();
    if (type == DataType.BYTES) {
      long count = BytesElements.count(data);
      if (count != elements) {
        throw new IllegalArgumentException(
            "tensor "
                + name
                + " of shape "
                + Shapes.format(dims)
                + " needs "
                + elements
                + " elements, the data holds "
                + count);
      }
      for (byte[] element : BytesElements.split(data, (int) count)) {
        tensor.addStringData(ByteString.copyFrom(element));
      }
    } else {
      long bytes = Math.multiplyExact(elements, type.elementSize());
      if (data.remaining() != bytes) {
        throw new IllegalArgumentException(
            "tensor "
                + name
                + " of shape "
                + Shapes.format(dims)
                + " needs "
                + bytes
                + " bytes of "
                + type
                + ", the data holds "
                + data.remaining());
      }
      tensor.setRawData(ByteString.copyFrom(data));
    }
    return tensor.build();
  }
}
