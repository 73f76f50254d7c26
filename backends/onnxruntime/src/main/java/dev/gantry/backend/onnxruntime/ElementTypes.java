package dev.gantry.backend.onnxruntime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo.OnnxTensorType;
import dev.gantry.spi.DataType;
import java.util.Optional;

/**
 * Translates between ONNX Runtime's element types and Gantry's datatypes, and knows which of them
 * ONNX Runtime's Java API can create as inputs.
 *
 * <p>ONNX {@code STRING} is {@link DataType#BYTES}. Complex and 8-bit float elements have no
 * protocol datatype. ONNX Runtime Java reads UINT16, UINT32 and UINT64 results but has no way to
 * create tensors of those types, so they can be outputs but not inputs.
 */
final class ElementTypes {
  private ElementTypes() {}

  /** The protocol datatype of an ONNX element type, if the protocol has one. */
  static Optional<DataType> toDataType(OnnxTensorType type) {
    return Optional.ofNullable(
        switch (type) {
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> DataType.BOOL;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> DataType.UINT8;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16 -> DataType.UINT16;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32 -> DataType.UINT32;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64 -> DataType.UINT64;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> DataType.INT8;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> DataType.INT16;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> DataType.INT32;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> DataType.INT64;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> DataType.FP16;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16 -> DataType.BF16;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> DataType.FP32;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> DataType.FP64;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING -> DataType.BYTES;
          default -> null;
        });
  }

  /**
   * The Java-side type ONNX Runtime creates an input tensor of this datatype with; empty for the
   * unsigned types it cannot create.
   */
  static Optional<OnnxJavaType> inputJavaType(DataType type) {
    return Optional.ofNullable(
        switch (type) {
          case BOOL -> OnnxJavaType.BOOL;
          case UINT8 -> OnnxJavaType.UINT8;
          case INT8 -> OnnxJavaType.INT8;
          case INT16 -> OnnxJavaType.INT16;
          case INT32 -> OnnxJavaType.INT32;
          case INT64 -> OnnxJavaType.INT64;
          case FP16 -> OnnxJavaType.FLOAT16;
          case BF16 -> OnnxJavaType.BFLOAT16;
          case FP32 -> OnnxJavaType.FLOAT;
          case FP64 -> OnnxJavaType.DOUBLE;
          case BYTES -> OnnxJavaType.STRING;
          case UINT16, UINT32, UINT64 -> null;
        });
  }
}
