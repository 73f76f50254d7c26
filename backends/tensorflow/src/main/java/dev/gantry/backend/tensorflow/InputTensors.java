package dev.gantry.backend.tensorflow;

import dev.gantry.spi.DataType;
import dev.gantry.spi.InferenceException;
import dev.gantry.spi.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.internal.c_api.TF_Tensor;

/**
 * The native tensors made from one batch's inputs, owned together so that a single
 * try-with-resources frees them all.
 *
 * <p>Each fixed-size input is copied once, in bulk, into a tensor TensorFlow allocates with the
 * alignment its kernels expect. Adopting the caller's buffer instead would tie that buffer's
 * lifetime to TensorFlow's references, and TensorFlow copies unaligned memory anyway. BYTES inputs
 * become string tensors (see {@link StringElements}).
 */
final class InputTensors implements AutoCloseable {
  private final List<SignatureTensor> feeds;
  private final List<TF_Tensor> values;

  private InputTensors(List<SignatureTensor> feeds, List<TF_Tensor> values) {
    this.feeds = feeds;
    this.values = values;
  }

  /**
   * @throws InferenceException naming the input when the signature has no such input or declares
   *     another datatype, or when a BYTES input's elements do not fill its shape
   */
  static InputTensors create(BoundSignature signature, Map<String, Tensor> inputs)
      throws InferenceException {
    List<SignatureTensor> feeds = new ArrayList<>(inputs.size());
    List<TF_Tensor> values = new ArrayList<>(inputs.size());
    try {
      for (Map.Entry<String, Tensor> input : inputs.entrySet()) {
        SignatureTensor feed = feed(signature, input.getKey(), input.getValue());
        values.add(create(input.getKey(), input.getValue()));
        feeds.add(feed);
      }
    } catch (InferenceException | RuntimeException e) {
      values.forEach(NativeTensors::delete);
      throw e;
    }
    return new InputTensors(feeds, values);
  }

  /** The signature tensors fed, in the order of {@link #values()}. */
  List<SignatureTensor> feeds() {
    return feeds;
  }

  List<TF_Tensor> values() {
    return values;
  }

  @Override
  public void close() {
    values.forEach(NativeTensors::delete);
  }

  private static SignatureTensor feed(BoundSignature signature, String name, Tensor tensor)
      throws InferenceException {
    SignatureTensor feed =
        signature
            .input(name)
            .orElseThrow(() -> new InferenceException("the model has no input '" + name + "'"));
    DataType declared = feed.spec().dataType();
    if (tensor.dataType() != declared) {
      throw new InferenceException(
          "input '" + name + "' is " + tensor.dataType() + " but the model takes " + declared);
    }
    return feed;
  }

  private static TF_Tensor create(String name, Tensor tensor) throws InferenceException {
    if (tensor.dataType() == DataType.BYTES) {
      return StringElements.write(name, tensor);
    }
    TF_Tensor created =
        NativeTensors.allocate(
            DataTypes.toNative(tensor.dataType()), tensor.shape(), tensor.byteSize());
    NativeTensors.memory(created).put(tensor.data());
    return created;
  }
}
