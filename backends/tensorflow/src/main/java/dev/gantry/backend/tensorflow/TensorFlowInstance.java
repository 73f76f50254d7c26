package dev.gantry.backend.tensorflow;

import dev.gantry.spi.ComputePhases;
import dev.gantry.spi.InferenceException;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.ModelSignature;
import dev.gantry.spi.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One model instance: one SavedModel session, the signature it serves and the device it was placed
 * on.
 *
 * <p>Each execution creates the input tensors, runs only the requested outputs, copies the results
 * out and deletes every native tensor before returning, whether or not the step succeeded.
 */
final class TensorFlowInstance implements ModelInstance {
  private final SavedModelSession session;
  private final BoundSignature signature;
  private final String device;

  TensorFlowInstance(SavedModelSession session, BoundSignature signature, String device) {
    this.session = session;
    this.signature = signature;
    this.device = device;
  }

  @Override
  public ModelSignature signature() {
    return signature.signature();
  }

  @Override
  public String device() {
    return device;
  }

  @Override
  public Map<String, Tensor> execute(
      Map<String, Tensor> inputs, Set<String> outputs, ComputePhases phases)
      throws InferenceException {
    List<SignatureTensor> fetches = fetches(outputs);
    try (InputTensors feeds = InputTensors.create(signature, inputs)) {
      phases.inputsReady();
      try (OutputTensors results =
          new OutputTensors(fetches, session.run(feeds.feeds(), feeds.values(), fetches))) {
        phases.inferenceDone();
        return results.read();
      }
    }
  }

  private List<SignatureTensor> fetches(Set<String> outputs) throws InferenceException {
    List<SignatureTensor> fetches = new ArrayList<>(outputs.size());
    for (String name : outputs) {
      fetches.add(
          signature
              .output(name)
              .orElseThrow(() -> new InferenceException("the model has no output '" + name + "'")));
    }
    return fetches;
  }

  @Override
  public void close() {
    session.close();
  }
}
