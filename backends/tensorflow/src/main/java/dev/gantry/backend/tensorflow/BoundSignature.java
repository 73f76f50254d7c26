package dev.gantry.backend.tensorflow;

import dev.gantry.spi.ModelSignature;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The served signature of a loaded SavedModel: the {@link ModelSignature} the server sees and, for
 * each of its keys, the graph tensor the session feeds or fetches.
 */
final class BoundSignature {
  private final ModelSignature signature;
  private final Map<String, SignatureTensor> inputs;
  private final Map<String, SignatureTensor> outputs;

  /** Both lists in the order the server should see them. */
  BoundSignature(List<SignatureTensor> inputs, List<SignatureTensor> outputs) {
    this.signature =
        new ModelSignature(
            inputs.stream().map(SignatureTensor::spec).toList(),
            outputs.stream().map(SignatureTensor::spec).toList());
    this.inputs = byName(inputs);
    this.outputs = byName(outputs);
  }

  ModelSignature signature() {
    return signature;
  }

  Optional<SignatureTensor> input(String name) {
    return Optional.ofNullable(inputs.get(name));
  }

  Optional<SignatureTensor> output(String name) {
    return Optional.ofNullable(outputs.get(name));
  }

  private static Map<String, SignatureTensor> byName(List<SignatureTensor> tensors) {
    Map<String, SignatureTensor> byName = new LinkedHashMap<>();
    for (SignatureTensor tensor : tensors) {
      byName.put(tensor.name(), tensor);
    }
    return byName;
  }
}
