package dev.gantry.backend.onnxruntime;

import ai.onnxruntime.MapInfo;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.SequenceInfo;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import dev.gantry.spi.DataType;
import dev.gantry.spi.ModelLoadException;
import dev.gantry.spi.ModelSignature;
import dev.gantry.spi.TensorSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a session's inputs and outputs as Gantry's {@link ModelSignature}, refusing models Gantry
 * cannot serve: values that are not tensors (sequences, maps), elements with no protocol datatype
 * (complex, 8-bit floats), and inputs ONNX Runtime Java cannot create (unsigned 16, 32 and 64-bit
 * integers). Dimensions that are symbolic or unknown in the model are {@code -1}.
 */
final class SignatureReader {
  private SignatureReader() {}

  static ModelSignature read(OrtSession session, Path modelFile)
      throws OrtException, ModelLoadException {
    return new ModelSignature(
        specs(true, session.getInputNames(), session.getInputInfo(), modelFile),
        specs(false, session.getOutputNames(), session.getOutputInfo(), modelFile));
  }

  private static List<TensorSpec> specs(
      boolean inputs, Set<String> names, Map<String, NodeInfo> infos, Path modelFile)
      throws ModelLoadException {
    List<TensorSpec> specs = new ArrayList<>(names.size());
    for (String name : names) {
      specs.add(spec(inputs, name, infos.get(name).getInfo(), modelFile));
    }
    return specs;
  }

  private static TensorSpec spec(boolean input, String name, ValueInfo info, Path modelFile)
      throws ModelLoadException {
    String prefix =
        "cannot serve " + modelFile + ": " + (input ? "input" : "output") + " '" + name + "' ";
    if (!(info instanceof TensorInfo tensor)) {
      throw new ModelLoadException(prefix + "is " + kind(info) + "; only tensors are supported");
    }
    DataType type =
        ElementTypes.toDataType(tensor.onnxType)
            .orElseThrow(
                () ->
                    new ModelLoadException(
                        prefix
                            + "has element type "
                            + tensor.onnxType
                            + ", which has no datatype in the inference protocol"));
    if (input && ElementTypes.inputJavaType(type).isEmpty()) {
      throw new ModelLoadException(
          prefix + "is " + type + ", which ONNX Runtime's Java API cannot take as an input");
    }
    return new TensorSpec(name, type, tensor.getShape());
  }

  private static String kind(ValueInfo info) {
    if (info instanceof SequenceInfo) {
      return "a sequence";
    }
    if (info instanceof MapInfo) {
      return "a map";
    }
    return "not a tensor (" + info + ")";
  }
}
