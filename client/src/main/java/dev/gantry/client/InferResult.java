package dev.gantry.client;

import com.google.protobuf.ByteString;
import dev.gantry.proto.InferParameter;
import dev.gantry.proto.ModelInferResponse;
import dev.gantry.proto.ModelInferResponse.InferOutputTensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The response to one inference request: which model answered and its typed outputs.
 *
 * <p>Pairs each output tensor with its contents, whether the server sent them as {@code
 * raw_output_contents} or as typed {@code contents}, so that callers read outputs by name without
 * index bookkeeping. The protocol message stays available through {@link #response()} for anything
 * else it carries, such as response parameters.
 */
public final class InferResult {
  private final ModelInferResponse response;
  private final Map<String, InferOutput> outputs;

  /**
   * The result of a response.
   *
   * @throws IllegalArgumentException if the response is malformed: raw contents that do not pair
   *     with the outputs, an unknown datatype, or contents that do not fit an output's shape
   */
  InferResult(ModelInferResponse response) {
    this.response = response;
    int raw = response.getRawOutputContentsCount();
    if (raw != 0 && raw != response.getOutputsCount()) {
      throw new IllegalArgumentException(
          "the response has "
              + raw
              + " raw output contents for "
              + response.getOutputsCount()
              + " outputs");
    }
    Map<String, InferOutput> byName = new LinkedHashMap<>();
    for (int i = 0; i < response.getOutputsCount(); i++) {
      InferOutputTensor tensor = response.getOutputs(i);
      TensorDatatype datatype = TensorDatatype.fromWireName(tensor.getDatatype());
      ByteString contents =
          raw != 0
              ? response.getRawOutputContents(i)
              : TypedContents.toRaw(datatype, tensor.getContents());
      long[] shape = tensor.getShapeList().stream().mapToLong(Long::longValue).toArray();
      SharedMemoryRange written = writtenTo(tensor);
      byName.put(tensor.getName(), written != null
          ? new InferOutput(tensor.getName(), datatype, shape, written)
          : new InferOutput(tensor.getName(), datatype, shape, contents));
    }
    this.outputs = Collections.unmodifiableMap(byName);
  }

  /** Where the server wrote an output, per the parameters it echoes; null when in the response. */
  private static SharedMemoryRange writtenTo(InferOutputTensor tensor) {
    if (!tensor.containsParameters("shared_memory_region")) {
      return null;
    }
    return new SharedMemoryRange(
        tensor.getParametersOrThrow("shared_memory_region").getStringParam(),
        tensor.getParametersOrDefault("shared_memory_offset", InferParameter.getDefaultInstance())
            .getInt64Param(),
        tensor.getParametersOrDefault("shared_memory_byte_size",
            InferParameter.getDefaultInstance()).getInt64Param());
  }

  /** The name of the model that answered. */
  public String modelName() {
    return response.getModelName();
  }

  /** The version of the model that answered; empty if the server did not say. */
  public String modelVersion() {
    return response.getModelVersion();
  }

  /** The id of the request this answers; empty if the request had none. */
  public String id() {
    return response.getId();
  }

  /** The outputs, in the order the server sent them. */
  public List<InferOutput> outputs() {
    return List.copyOf(outputs.values());
  }

  /**
   * The output with this name.
   *
   * @throws IllegalArgumentException if the response has no such output
   */
  public InferOutput output(String name) {
    InferOutput output = outputs.get(name);
    if (output == null) {
      throw new IllegalArgumentException(
          "the response has no output \"" + name + "\"; it has " + outputs.keySet());
    }
    return output;
  }

  /** The protocol message, for fields this class does not expose. */
  public ModelInferResponse response() {
    return response;
  }
}
