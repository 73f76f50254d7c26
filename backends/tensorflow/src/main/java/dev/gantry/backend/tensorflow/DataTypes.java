package dev.gantry.backend.tensorflow;

import dev.gantry.spi.DataType;
import java.util.Optional;

/**
 * Translates between TensorFlow's element types and Gantry's datatypes.
 *
 * <p>{@code DT_STRING} is {@link DataType#BYTES} (each element arbitrary bytes), {@code DT_HALF} is
 * {@link DataType#FP16} and {@code DT_BFLOAT16} is {@link DataType#BF16}. Every other TensorFlow
 * type (complex, quantized, resource, variant, 8-bit and 4-bit floats, reference types) has no
 * protocol datatype. Fixed-size elements have the same bytes in both: TensorFlow keeps them in the
 * platform's native order, which is little-endian on every platform TensorFlow Java ships for.
 */
final class DataTypes {
  private DataTypes() {}

  /** The protocol datatype of a TensorFlow element type, if the protocol has one. */
  static Optional<DataType> toDataType(org.tensorflow.proto.DataType type) {
    return Optional.ofNullable(
        switch (type) {
          case DT_BOOL -> DataType.BOOL;
          case DT_UINT8 -> DataType.UINT8;
          case DT_UINT16 -> DataType.UINT16;
          case DT_UINT32 -> DataType.UINT32;
          case DT_UINT64 -> DataType.UINT64;
          case DT_INT8 -> DataType.INT8;
          case DT_INT16 -> DataType.INT16;
          case DT_INT32 -> DataType.INT32;
          case DT_INT64 -> DataType.INT64;
          case DT_HALF -> DataType.FP16;
          case DT_BFLOAT16 -> DataType.BF16;
          case DT_FLOAT -> DataType.FP32;
          case DT_DOUBLE -> DataType.FP64;
          case DT_STRING -> DataType.BYTES;
          default -> null;
        });
  }

  /** The protocol datatype of a native tensor's {@code TF_DataType} code, if it has one. */
  static Optional<DataType> fromNative(int code) {
    org.tensorflow.proto.DataType type = org.tensorflow.proto.DataType.forNumber(code);
    return type == null ? Optional.empty() : toDataType(type);
  }

  /** The {@code TF_DataType} code a tensor of this datatype is allocated with. */
  static int toNative(DataType type) {
    return switch (type) {
      case BOOL -> org.tensorflow.proto.DataType.DT_BOOL_VALUE;
      case UINT8 -> org.tensorflow.proto.DataType.DT_UINT8_VALUE;
      case UINT16 -> org.tensorflow.proto.DataType.DT_UINT16_VALUE;
      case UINT32 -> org.tensorflow.proto.DataType.DT_UINT32_VALUE;
      case UINT64 -> org.tensorflow.proto.DataType.DT_UINT64_VALUE;
      case INT8 -> org.tensorflow.proto.DataType.DT_INT8_VALUE;
      case INT16 -> org.tensorflow.proto.DataType.DT_INT16_VALUE;
      case INT32 -> org.tensorflow.proto.DataType.DT_INT32_VALUE;
      case INT64 -> org.tensorflow.proto.DataType.DT_INT64_VALUE;
      case FP16 -> org.tensorflow.proto.DataType.DT_HALF_VALUE;
      case BF16 -> org.tensorflow.proto.DataType.DT_BFLOAT16_VALUE;
      case FP32 -> org.tensorflow.proto.DataType.DT_FLOAT_VALUE;
      case FP64 -> org.tensorflow.proto.DataType.DT_DOUBLE_VALUE;
      case BYTES -> org.tensorflow.proto.DataType.DT_STRING_VALUE;
    };
  }
}
