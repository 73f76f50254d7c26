package dev.gantry.backend.onnxruntime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.gantry.spi.DataType;
import dev.gantry.spi.ModelSignature;
import dev.gantry.spi.Shapes;
import dev.gantry.spi.Tensor;
import dev.gantry.spi.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Buffers allocated before a run for the outputs whose shape is known in advance, so that ONNX
 * Runtime writes those results straight into memory the server then sends, instead of into its
 * own memory that is copied out afterwards.
 *
 * <p>An output's shape is known when every dimension the model declares is fixed, except that a
 * batching model's (max_batch_size above 0) first dimension is the batch size of the run, as the
 * protocol requires of every input and output of such a model. Other outputs, and datatypes that
 * ONNX Runtime's Java API cannot create (BYTES, unsigned 16 to 64 bits), are computed as before.
 */
final class PinnedOutputs implements AutoCloseable {
  private final Map<String, OnnxTensor> tensors = new HashMap<>();
  private final Map<String, Tensor> results = new HashMap<>();
  private final Set<String> unpinned = new HashSet<>();

  private PinnedOutputs() {}

  /**
   * @param outputs the outputs to compute, all of them in the signature
   * @param batch the run's batch size, or empty when the model does not batch
   */
  static PinnedOutputs allocate(
      OrtEnvironment environment, ModelSignature signature, Set<String> outputs,
      Optional<Long> batch) throws OrtException {
    PinnedOutputs pinned = new PinnedOutputs();
    try {
      for (String name : outputs) {
        TensorSpec spec = signature.output(name).orElseThrow();
        Optional<long[]> shape = knownShape(spec, batch);
        Optional<OnnxJavaType> javaType = spec.dataType().isFixedSize()
            ? ElementTypes.inputJavaType(spec.dataType())
            : Optional.empty();
        if (shape.isPresent() && javaType.isPresent()) {
          pinned.pin(environment, name, spec.dataType(), shape.get(), javaType.get());
        } else {
          pinned.unpinned.add(name);
        }
      }
    } catch (OrtException | RuntimeException e) {
      pinned.close();
      throw e;
    }
    return pinned;
  }

  /** The pinned output tensors by name, for {@code OrtSession.run}. */
  Map<String, OnnxTensor> byName() {
    return tensors;
  }

  /** The requested outputs that ONNX Runtime must allocate itself. */
  Set<String> unpinned() {
    return unpinned;
  }

  /** The pinned outputs as Gantry tensors, valid after the run has written them. */
  Map<String, Tensor> results() {
    return results;
  }

  @Override
  public void close() {
    tensors.values().forEach(OnnxTensor::close);
  }

  private void pin(OrtEnvironment environment, String name, DataType type, long[] shape,
      OnnxJavaType javaType) throws OrtException {
    long bytes = Math.multiplyExact(Shapes.elementCount(shape), type.elementSize());
    ByteBuffer buffer = ByteBuffer.allocateDirect(Math.toIntExact(bytes))
        .order(ByteOrder.nativeOrder());
    tensors.put(name, OnnxTensor.createTensor(environment, buffer, shape, javaType));
    results.put(name, new Tensor(type, shape, buffer));
  }

  private static Optional<long[]> knownShape(TensorSpec spec, Optional<Long> batch) {
    long[] shape = spec.shape();
    if (batch.isPresent() && shape.length > 0 && shape[0] == Shapes.VARIABLE) {
      shape[0] = batch.get();
    }
    for (long dim : shape) {
      if (dim == Shapes.VARIABLE) {
        return Optional.empty();
      }
    }
    return Optional.of(shape);
  }
}
