package dev.gantry.server.validation;

import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferRequest.InferRequestedOutputTensor;
import dev.gantry.server.error.InvalidArgumentException;
import dev.gantry.server.model.LoadedVersion;
import dev.gantry.spi.DataType;
import dev.gantry.spi.TensorSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the {@code outputs} a request asks for against the model: names it has, each once, and
 * the top-k of Triton's classification extension on outputs that rank.
 */
final class RequestedOutputs {
  /** The output datatypes the classification extension ranks, as Triton does. */
  private static final Set<DataType> CLASSIFIABLE = Set.of(DataType.INT8, DataType.INT16,
      DataType.INT32, DataType.INT64, DataType.UINT8, DataType.UINT16, DataType.UINT32,
      DataType.UINT64, DataType.FP32, DataType.FP64);

  private RequestedOutputs() {}

  /** The outputs to return, in the order asked; every output of the model when none is named. */
  static List<String> names(ModelInferRequest request, LoadedVersion model) {
    if (request.getOutputsCount() == 0) {
      List<TensorSpec> specs = model.signature().outputs();
      String[] all = new String[specs.size()];
      for (int i = 0; i < all.length; i++) {
        all[i] = specs.get(i).name();
      }
      return List.of(all);
    }
    List<String> outputs = new ArrayList<>(request.getOutputsCount());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < request.getOutputsCount(); i++) {
      InferRequestedOutputTensor output = request.getOutputs(i);
      InferParameters.checkSupported("outputs", i, output.getParametersMap(), model);
      if (model.signature().output(output.getName()).isEmpty()) {
        throw new InvalidArgumentException(
            "outputs[" + i + "]: unknown output '" + output.getName() + "' for " + model.label()
                + "; expected one of " + RequestValidator.names(model.signature().outputs()));
      }
      if (!seen.add(output.getName())) {
        throw new InvalidArgumentException(
            "outputs[" + i + "]: output '" + output.getName() + "' is requested more than once");
      }
      outputs.add(output.getName());
    }
    return outputs;
  }

  /**
   * The outputs whose {@code classification} parameter asks for their top-k classes, checked:
   * k an integer of at least 1, the output of a datatype that ranks.
   */
  static Map<String, Integer> classCounts(ModelInferRequest request, LoadedVersion model) {
    if (request.getOutputsCount() == 0) {
      return Map.of();
    }
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < request.getOutputsCount(); i++) {
      InferRequestedOutputTensor output = request.getOutputs(i);
      if (!output.containsParameters("classification")) {
        continue;
      }
      String field = "outputs[" + i + "].parameter 'classification'";
      long count = InferParameters.integer(output.getParametersMap(), "classification", field);
      if (count < 1 || count > Integer.MAX_VALUE) {
        throw new InvalidArgumentException(
            field + " must be a class count of at least 1, got " + Long.toUnsignedString(count));
      }
      DataType type = model.signature().output(output.getName()).orElseThrow().dataType();
      if (!CLASSIFIABLE.contains(type)) {
        throw new InvalidArgumentException(
            field + ": output '" + output.getName() + "' is " + type + "; classification ranks "
                + "only integer, FP32 and FP64 outputs");
      }
      counts.put(output.getName(), (int) count);
    }
    return counts;
  }
}
