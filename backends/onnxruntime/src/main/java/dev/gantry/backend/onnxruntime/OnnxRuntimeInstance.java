package dev.gantry.backend.onnxruntime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.gantry.spi.ComputePhases;
import dev.gantry.spi.InferenceException;
import dev.gantry.spi.InvalidInputException;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.ModelSignature;
import dev.gantry.spi.Shapes;
import dev.gantry.spi.Tensor;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model instance: one ONNX Runtime session, with the signature read from it when it was created
 * and the device it was placed on.
 *
 * <p>Each execution creates the input tensors, runs only the requested outputs, copies the results
 * out and frees every native tensor before returning, whether or not the run succeeded. Small
 * outputs of a kind of run seen before are written into memory the instance keeps ({@link
 * PinnedOutputs}). When ONNX
 * Runtime refuses the inputs as invalid arguments, the failure is an {@link InvalidInputException}
 * naming the inputs, with ONNX Runtime's message (node names and all) kept in its cause.
 */
final class OnnxRuntimeInstance implements ModelInstance {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxRuntimeInstance.class);

  private final OrtEnvironment environment;
  private final OrtSession session;
  private final OrtSession.RunOptions runOptions;
  private final ModelSignature signature;
  private final String device;
  private final String description;
  private final StagingBuffer staging = new StagingBuffer();
  private final PinnedOutputs pinned;

  OnnxRuntimeInstance(
      OrtEnvironment environment,
      OrtSession session,
      OrtSession.RunOptions runOptions,
      ModelSignature signature,
      String device,
      String description) {
    this.environment = environment;
    this.session = session;
    this.runOptions = runOptions;
    this.signature = signature;
    this.device = device;
    this.description = description;
    this.pinned = new PinnedOutputs(environment, signature);
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
    PinnedOutputs.Kind kind = pinned.kind(inputs, outputs);
    try (InputTensors onnxInputs = InputTensors.create(environment, inputs, staging)) {
      phases.inputsReady();
      Optional<Map<String, OnnxTensor>> pins = pinned.tensors(kind);
      if (pins.isPresent()) {
        try (OrtSession.Result result =
            session.run(onnxInputs.byName(), Set.of(), pins.get(), runOptions)) {
          phases.inferenceDone();
          return pinned.copyOut(kind);
        } catch (OrtException refused) {
          LOG.debug("{}: a run with pinned outputs failed, running it without: {}", description,
              refused.getMessage());
        }
      }
      try (OrtSession.Result result = session.run(onnxInputs.byName(), outputs, runOptions)) {
        phases.inferenceDone();
        Map<String, Tensor> read = OutputTensors.read(result);
        pinned.learn(kind, read, pins.isPresent());
        return read;
      }
    } catch (OrtException e) {
      if (e.getCode() == OrtException.OrtErrorCode.ORT_INVALID_ARGUMENT) {
        throw new InvalidInputException("ONNX Runtime refused the inputs " + describe(inputs)
            + " as invalid for the model (a shape or value it cannot compute with)", e);
      }
      throw new InferenceException(e.getMessage(), e);
    }
  }

  /** The inputs as the request gave them: name, datatype and shape. */
  private static String describe(Map<String, Tensor> inputs) {
    StringJoiner joined = new StringJoiner(", ");
    inputs.forEach((name, tensor) -> joined.add(
        "'" + name + "' " + tensor.dataType() + " " + Shapes.format(tensor.shape())));
    return joined.toString();
  }

  @Override
  public void close() {
    pinned.close();
    runOptions.close();
    try {
      session.close();
    } catch (OrtException e) {
      LOG.warn("closing the ONNX Runtime session of {} failed: {}", description, e.getMessage());
    }
  }
}
