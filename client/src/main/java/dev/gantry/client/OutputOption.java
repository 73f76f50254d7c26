package dev.gantry.client;

import dev.gantry.proto.InferParameter;
import dev.gantry.proto.ModelInferRequest.InferRequestedOutputTensor;
import java.util.Map;

/**
 * How one requested output should come back, given to {@link InferRequest.Builder#output(String,
 * OutputOption...)}: each option sets the output's parameters as the protocol's extensions name
 * them.
 */
public final class OutputOption {
  private final Map<String, InferParameter> parameters;

  private OutputOption(Map<String, InferParameter> parameters) {
    this.parameters = parameters;
  }

  /**
   * The output's top {@code count} classes instead of its tensor (Triton's classification
   * extension): read them with {@link InferOutput#asClassifications()}.
   *
   * @throws IllegalArgumentException if count is below 1
   */
  public static OutputOption classCount(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("class count must be at least 1: " + count);
    }
    return new OutputOption(
        Map.of("classification", InferParameter.newBuilder().setInt64Param(count).build()));
  }

  /**
   * The output written into a registered system shared-memory region instead of the response
   * (Triton's system shared-memory extension); {@link InferOutput#sharedMemory()} says where and
   * how many bytes.
   */
  public static OutputOption sharedMemory(SharedMemoryRange range) {
    return new OutputOption(range.parameters());
  }

  void applyTo(InferRequestedOutputTensor.Builder output) {
    output.putAllParameters(parameters);
  }
}
