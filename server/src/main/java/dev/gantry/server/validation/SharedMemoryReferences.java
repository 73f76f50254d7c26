package dev.gantry.server.validation;

import dev.gantry.proto.InferParameter;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferRequest.InferRequestedOutputTensor;
import dev.gantry.server.error.InvalidArgumentException;
import dev.gantry.server.memory.SharedMemoryRegistry;
import dev.gantry.server.memory.SharedMemorySlice;
import java.util.HashMap;
import java.util.Map;

/**
 * Resolves the shared-memory parameters of inputs and requested outputs ({@code
 * shared_memory_region}, {@code shared_memory_offset}, {@code shared_memory_byte_size}) to
 * windows of registered regions, with messages naming the parameter at fault.
 */
final class SharedMemoryReferences {
  static final String REGION = "shared_memory_region";
  private static final String OFFSET = "shared_memory_offset";
  private static final String BYTE_SIZE = "shared_memory_byte_size";

  private final SharedMemoryRegistry registry;

  SharedMemoryReferences(SharedMemoryRegistry registry) {
    this.registry = registry;
  }

  /** The requested outputs to write into shared memory instead of the response. */
  Map<String, SharedMemorySlice> outputRegions(ModelInferRequest request) {
    if (request.getOutputsCount() == 0) {
      return Map.of();
    }
    Map<String, SharedMemorySlice> regions = new HashMap<>();
    for (int i = 0; i < request.getOutputsCount(); i++) {
      InferRequestedOutputTensor output = request.getOutputs(i);
      if (uses(output.getParametersMap())) {
        regions.put(output.getName(), slice("output '" + output.getName() + "'",
            "outputs[" + i + "].", output.getParametersMap()));
      }
    }
    return regions;
  }

  /** Whether any shared-memory parameter is set: then the three must be right. */
  static boolean uses(Map<String, InferParameter> parameters) {
    return parameters.containsKey(REGION) || parameters.containsKey(BYTE_SIZE)
        || parameters.containsKey(OFFSET);
  }

  /**
   * The window a tensor's shared-memory parameters name: region and byte size required, offset
   * 0 by default.
   *
   * @param where the field path of the parameters, {@code inputs[0].}
   */
  SharedMemorySlice slice(
      String tensor, String where, Map<String, InferParameter> parameters) {
    InferParameter region = parameters.get(REGION);
    if (region == null || !parameters.containsKey(BYTE_SIZE)) {
      throw new InvalidArgumentException(tensor + ": " + where + "parameters need both '"
          + REGION + "' and '" + BYTE_SIZE + "' to use shared memory ('" + OFFSET
          + "' is optional)");
    }
    if (region.getParameterChoiceCase() != InferParameter.ParameterChoiceCase.STRING_PARAM) {
      throw new InvalidArgumentException(tensor + ": " + where + "parameter '" + REGION
          + "' must be a string_param, got "
          + region.getParameterChoiceCase().name().toLowerCase());
    }
    return registry.slice(tensor, region.getStringParam(),
        InferParameters.integer(parameters, OFFSET, where + "parameter '" + OFFSET + "'"),
        InferParameters.integer(parameters, BYTE_SIZE, where + "parameter '" + BYTE_SIZE + "'"));
  }
}
