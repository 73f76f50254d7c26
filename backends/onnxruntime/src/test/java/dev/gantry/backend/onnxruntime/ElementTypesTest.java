package dev.gantry.backend.onnxruntime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo.OnnxTensorType;
import dev.gantry.spi.DataType;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ElementTypesTest {
  @Test
  void stringsAreBytes() {
    assertEquals(
        Optional.of(DataType.BYTES),
        ElementTypes.toDataType(OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING));
    assertEquals(Optional.of(OnnxJavaType.STRING), ElementTypes.inputJavaType(DataType.BYTES));
  }

  @ParameterizedTest
  @EnumSource(
      value = OnnxTensorType.class,
      names = {
        "ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED",
        "ONNX_TENSOR_ELEMENT_DATA_TYPE_COMPLEX64",
        "ONNX_TENSOR_ELEMENT_DATA_TYPE_COMPLEX128",
        "ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT8E4M3FN",
        "ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT8E4M3FNUZ",
        "ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT8E5M2",
        "ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT8E5M2FNUZ"
      })
  void elementsWithoutAProtocolDatatypeHaveNone(OnnxTensorType type) {
    assertTrue(ElementTypes.toDataType(type).isEmpty());
  }

  @ParameterizedTest
  @EnumSource(DataType.class)
  void everyDatatypeIsAnOnnxElementType(DataType type) {
    assertTrue(
        Arrays.stream(OnnxTensorType.values())
            .anyMatch(onnx -> ElementTypes.toDataType(onnx).equals(Optional.of(type))));
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"UINT16", "UINT32", "UINT64"})
  void unsignedWiderThanAByteCannotBeInputs(DataType type) {
    assertTrue(ElementTypes.inputJavaType(type).isEmpty());
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"UINT16", "UINT32", "UINT64", "BYTES"},
      mode = EnumSource.Mode.EXCLUDE)
  void creatableInputsMatchTheElementType(DataType type) {
    OnnxJavaType javaType = ElementTypes.inputJavaType(type).orElseThrow();
    assertEquals(
        Optional.of(type), ElementTypes.toDataType(OnnxTensorType.mapFromJavaType(javaType)));
  }
}
