package dev.gantry.spi;

import java.util.List;
import java.util.Optional;

/**
 * The inputs and outputs a loaded model reports, in the model's own order. The server completes
 * and checks a model's configuration against it and validates every request against it.
 */
public record ModelSignature(List<TensorSpec> inputs, List<TensorSpec> outputs) {
  public ModelSignature {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  public Optional<TensorSpec> input(String name) {
    return inputs.stream().filter(spec -> spec.name().equals(name)).findFirst();
  }

  public Optional<TensorSpec> output(String name) {
    return outputs.stream().filter(spec -> spec.name().equals(name)).findFirst();
  }
}
