package dev.gantry.modelgen;

import dev.gantry.modelgen.onnx.TensorProto;
import dev.gantry.modelgen.onnx.TensorShapeProto;
import dev.gantry.modelgen.onnx.ValueInfoProto;
import java.util.List;
import java.util.stream.Collectors;

/** Describes graph values compactly, e.g. {@code INPUT0:FLOAT[batch,16]}, for assertions. */
final class ValueInfos {
  private ValueInfos() {}

  static List<String> describe(List<ValueInfoProto> values) {
    return values.stream().map(ValueInfos::describe).toList();
  }

  static String describe(ValueInfoProto value) {
    if (value.getType().hasSequenceType()) {
      return value.getName() + ":sequence";
    }
    var tensor = value.getType().getTensorType();
    String dims =
        tensor.getShape().getDimList().stream()
            .map(ValueInfos::dimension)
            .collect(Collectors.joining(",", "[", "]"));
    return value.getName() + ":" + TensorProto.DataType.forNumber(tensor.getElemType()) + dims;
  }

  private static String dimension(TensorShapeProto.Dimension dim) {
    return dim.hasDimParam() ? dim.getDimParam() : Long.toString(dim.getDimValue());
  }
}
