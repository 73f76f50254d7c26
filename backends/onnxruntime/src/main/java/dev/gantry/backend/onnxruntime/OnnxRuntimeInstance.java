package dev.gantry.backend.onnxruntime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.gantry.spi.ComputePhases;
import dev.gantry.spi.InferenceException;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.ModelSignature;
import dev.gantry.spi.Tensor;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model instance: one ONNX Runtime session, with the signature read from it when it was created
 * and the device it was placed on.
 *
 * <p>Each execution creates the input tensors, runs only the requested outputs (written into {@link
 * PinnedOutputs} where their shape is known beforehand, copied out otherwise) and frees every
 * native tensor before returning, whether or not the run succeeded.
 */
final class OnnxRuntimeInstance implements ModelInstance {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxRuntimeInstance.class);

  private final OrtEnvironment environment;
  private final OrtSession session;
  private final ModelSignature signature;
  private final String device;
  private final String description;
  private final int maxBatchSize;

  OnnxRuntimeInstance(
      OrtEnvironment environment,
      OrtSession session,
      ModelSignature signature,
      int maxBatchSize,
      String device,
      String description) {
    this.environment = environment;
    this.session = session;
    this.signature = signature;
    this.maxBatchSize = maxBatchSize;
    this.device = device;
    this.description = description;
  }

  @Override
  public ModelSignature signature() {
    return signature;
  }

  @Override
  public String device() {
    return device;
  }

  @Override
  public Map<String, Tensor> execute(
      Map<String, Tensor> inputs, Set<String> outputs, ComputePhases phases)
      throws InferenceException {
    try (InputTensors onnxInputs = InputTensors.create(environment, inputs);
        PinnedOutputs pinned =
            PinnedOutputs.allocate(environment, signature, outputs, batchSize(inputs))) {
      phases.inputsReady();
      try (OrtSession.Result result =
          session.run(onnxInputs.byName(), pinned.unpinned(), pinned.byName())) {
        phases.inferenceDone();
        return OutputTensors.read(result, pinned.results());
      }
    } catch (OrtException e) {
      throw new InferenceException(e.getMessage(), e);
    }
  }

  /** The run's batch size, the first dimension of every input, when the model batches. */
  private Optional<Long> batchSize(Map<String, Tensor> inputs) {
    if (maxBatchSize == 0 || inputs.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(inputs.values().iterator().next().dim(0));
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      LOG.warn("closing the ONNX Runtime session of {} failed: {}", description, e.getMessage());
    }
  }
}
