package dev.gantry.client;

import dev.gantry.proto.InferParameter;
import dev.gantry.proto.ModelInferRequest.InferRequestedOutputTensor;

/**
 * How one requested output should come back, given to {@link InferRequest.Builder#output(String,
 * OutputOption...)}: each option sets the output's parameters as the protocol's extensions name
 * them.
 */
public final class OutputOption {
  private final String parameter;
  private final InferParameter value;

  private OutputOption(String parameter, InferParameter value) {
    this.parameter = parameter;
    this.value = value;
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
        "classification", InferParameter.newBuilder().setInt64Param(count).build());
  }

  void applyTo(InferRequestedOutputTensor.Builder output) {
    output.putParameters(parameter, value);
  }
}
