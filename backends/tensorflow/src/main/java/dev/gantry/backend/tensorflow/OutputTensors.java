package dev.gantry.backend.tensorflow;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_TensorType;

import dev.gantry.spi.DataType;
import dev.gantry.spi.InferenceException;
import dev.gantry.spi.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.internal.c_api.TF_Tensor;

/**
 * The native tensors one step produced, owned together so that a single try-with-resources frees
 * them all, and copied out into Gantry tensors the caller owns, with the shapes the step actually
 * produced.
 */
final class OutputTensors implements AutoCloseable {
  private final List<SignatureTensor> fetches;
  private final TF_Tensor[] values;

  /**
   * @param values the step's results in the order of {@code fetches}; deleted on {@link #close()}
   */
  OutputTensors(List<SignatureTensor> fetches, TF_Tensor[] values) {
    this.fetches = fetches;
    this.values = values;
  }

  /** Each result copied into a little-endian heap buffer, by output name. */
  Map<String, Tensor> read() throws InferenceException {
    Map<String, Tensor> outputs = new HashMap<>();
    for (int i = 0; i < values.length; i++) {
      String name = fetches.get(i).name();
      outputs.put(name, read(name, values[i]));
    }
    return outputs;
  }

  private static Tensor read(String name, TF_Tensor value) throws InferenceException {
    int nativeType = TF_TensorType(value);
    DataType type =
        DataTypes.fromNative(nativeType)
            .orElseThrow(
                () ->
                    new InferenceException(
                        "output '"
                            + name
                            + "' came back as "
                            + org.tensorflow.proto.DataType.forNumber(nativeType)
                            + ", which has no datatype in the inference protocol"));
    ByteBuffer data = type == DataType.BYTES ? StringElements.read(value) : copy(value);
    return new Tensor(type, NativeTensors.shape(value), data);
  }

  private static ByteBuffer copy(TF_Tensor value) throws InferenceException {
    ByteBuffer memory = NativeTensors.memory(value);
    return ByteBuffer.allocate(memory.remaining())
        .order(ByteOrder.LITTLE_ENDIAN)
        .put(memory)
        .flip();
  }

  @Override
  public void close() {
    for (TF_Tensor value : values) {
      NativeTensors.delete(value);
    }
  }
}
