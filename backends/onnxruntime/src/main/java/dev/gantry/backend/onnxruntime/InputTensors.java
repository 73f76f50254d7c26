package dev.gantry.backend.onnxruntime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.gantry.spi.DataType;
import dev.gantry.spi.InferenceException;
import dev.gantry.spi.Tensor;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The ONNX Runtime tensors made from one batch's inputs, owned together so that a single
 * try-with-resources frees them all.
 *
 * <p>Fixed-size inputs cost at most one copy: ONNX Runtime wraps a direct buffer's memory as it is
 * (Gantry's little-endian bytes are the native order of every platform ONNX Runtime Java ships
 * for), and a heap buffer is copied once into the instance's {@link StagingBuffer}. BYTES inputs become string tensors (see
 * {@link StringElements}).
 */
final class InputTensors implements AutoCloseable {
  private final Map<String, OnnxTensor> tensors;

  private InputTensors(Map<String, OnnxTensor> tensors) {
    this.tensors = tensors;
  }

  /**
   * @param staging the instance's memory for inputs that arrive on the heap, free to reuse from its
   *     start
   */
  static InputTensors create(
      OrtEnvironment environment, Map<String, Tensor> inputs, StagingBuffer staging)
      throws OrtException, InferenceException {
    Map<String, OnnxTensor> tensors = new HashMap<>();
    int heapBytes = 0;
    for (Tensor input : inputs.values()) {
      if (input.dataType() != DataType.BYTES && !input.data().isDirect()) {
        heapBytes = Math.addExact(heapBytes, input.byteSize());
      }
    }
    staging.reset(heapBytes);
    try {
      for (Map.Entry<String, Tensor> input : inputs.entrySet()) {
        tensors.put(
            input.getKey(), create(environment, input.getKey(), input.getValue(), staging));
      }
    } catch (OrtException | InferenceException | RuntimeException e) {
      closeAll(tensors.values());
      throw e;
    }
    return new InputTensors(tensors);
  }

  /** The tensors by input name, for {@code OrtSession.run}. */
  Map<String, OnnxTensor> byName() {
    return tensors;
  }

  @Override
  public void close() {
    closeAll(tensors.values());
  }

  private static OnnxTensor create(
      OrtEnvironment environment, String name, Tensor tensor, StagingBuffer staging)
      throws OrtException, InferenceException {
    DataType type = tensor.dataType();
    if (type == DataType.BYTES) {
      return OnnxTensor.createTensor(
          environment, StringElements.decode(name, tensor), tensor.shape());
    }
    OnnxJavaType javaType =
        ElementTypes.inputJavaType(type)
            .orElseThrow(
                () ->
                    new InferenceException(
                        "input '"
                            + name
                            + "' is "
                            + type
                            + ", which ONNX Runtime's Java API cannot create"));
    ByteBuffer data = tensor.data();
    ByteBuffer direct = data.isDirect() ? data : staging.copy(data);
    return OnnxTensor.createTensor(environment, direct, tensor.shape(), javaType);
  }

  private static void closeAll(Collection<OnnxTensor> tensors) {
    for (OnnxTensor tensor : tensors) {
      tensor.close();
    }
  }
}
