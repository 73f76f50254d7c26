package dev.gantry.modelgen;

import dev.gantry.modelgen.onnx.TensorProto;
import dev.gantry.spi.DataType;

/**
 * Translates Gantry's datatypes into ONNX element types, so that callers of the generator name
 * types the way the rest of Gantry does. {@link DataType#BYTES} is ONNX's {@code STRING}.
 */
final class OnnxElementTypes {
  private OnnxElementTypes() {}

  static TensorProto.DataType of(DataType type) {
    return switch (type) {
      case BOOL -> TensorProto.DataType.BOOL;
      case UINT8 -> TensorProto.DataType.UINT8;
      case UINT16 -> TensorProto.DataType.UINT16;
      case UINT32 -> TensorProto.DataType.UINT32;
      case UINT64 -> TensorProto.DataType.UINT64;
      case INT8 -> TensorProto.DataType.INT8;
      case INT16 -> TensorProto.DataType.INT16;
      case INT32 -> TensorProto.DataType.INT32;
      case INT64 -> TensorProto.DataType.INT64;
      case FP16 -> TensorProto.DataType.FLOAT16;
      case BF16 -> TensorProto.DataType.BFLOAT16;
      case FP32 -> TensorProto.DataType.FLOAT;
      case FP64 -> TensorProto.DataType.DOUBLE;
      case BYTES -> TensorProto.DataType.STRING;
    };
  }
}
