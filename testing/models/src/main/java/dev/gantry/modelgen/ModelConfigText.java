package dev.gantry.modelgen;

import dev.gantry.spi.DataType;
import dev.gantry.spi.TensorSpec;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * Renders a Triton model configuration ({@code config.pbtxt}, protobuf text format) for an ONNX
 * Runtime model, so that the example repository's configurations are generated from the same
 * declarations as its models.
 */
final class ModelConfigText {
  static final String PLATFORM = "onnxruntime_onnx";

  private static final String TENSOR =
      "  {\n    name: \"%s\"\n    data_type: %s\n    dims: [ %s ]\n  }";

  private ModelConfigText() {}

  /**
   * The configuration's text, one field or list entry per line.
   *
   * @param inputs the inputs with their shapes as the configuration states them: without the batch
   *     dimension when {@code maxBatchSize} is positive; likewise {@code outputs}
   * @param extraBlocks further top-level fields, each rendered as given, one per line
   */
  static String render(
      String name,
      int maxBatchSize,
      List<TensorSpec> inputs,
      List<TensorSpec> outputs,
      String... extraBlocks) {
    StringBuilder text = new StringBuilder();
    text.append("name: \"").append(name).append("\"\n");
    text.append("platform: \"").append(PLATFORM).append("\"\n");
    text.append("max_batch_size: ").append(maxBatchSize).append('\n');
    text.append("input [\n").append(tensors(inputs)).append("\n]\n");
    text.append("output [\n").append(tensors(outputs)).append("\n]\n");
    for (String block : extraBlocks) {
      text.append(block).append('\n');
    }
    return text.toString();
  }

  private static String tensors(List<TensorSpec> specs) {
    return specs.stream().map(ModelConfigText::tensor).collect(Collectors.joining(",\n"));
  }

  private static String tensor(TensorSpec spec) {
    String dims =
        LongStream.of(spec.shape()).mapToObj(Long::toString).collect(Collectors.joining(", "));
    return TENSOR.formatted(spec.name(), tritonType(spec.dataType()), dims);
  }

  /** Triton names the protocol's BYTES {@code TYPE_STRING}; every other name carries over. */
  private static String tritonType(DataType type) {
    return "TYPE_" + (type == DataType.BYTES ? "STRING" : type.name());
  }
}
