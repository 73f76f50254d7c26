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
    return Optional.ofNullable(find(inputs, name));
  }

  public Optional<TensorSpec> output(String name) {
    return Optional.ofNullable(find(outputs, name));
  }

  /** The position of an input in {@link #inputs()}, or -1 when the model has none of that name. */
  public int inputIndex(String name) {
    for (int i = 0; i < inputs.size(); i++) {
      if (inputs.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** Searched on every request: a loop, because a stream costs more than the few specs it reads. */
  private static TensorSpec find(List<TensorSpec> specs, String name) {
    for (TensorSpec spec : specs) {
      if (spec.name().equals(name)) {
        return spec;
      }
    }
    return null;
  }
}
