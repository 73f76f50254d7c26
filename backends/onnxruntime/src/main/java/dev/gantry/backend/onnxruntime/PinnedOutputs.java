package dev.gantry.backend.onnxruntime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.gantry.spi.DataType;
import dev.gantry.spi.ModelSignature;
import dev.gantry.spi.Tensor;
import dev.gantry.spi.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Output memory an instance keeps from run to run, so that ONNX Runtime writes small outputs into
 * it instead of allocating them and building Java objects for them on every run. For a tiny
 * model that object building costs more than the compute: measured on this project's tiny model,
 * 8 µs of CPU per run with the outputs read through {@code getByteBuffer} against 3 µs pinned.
 *
 * <p>Runs are told apart by their input shapes and requested outputs. The first run of a kind
 * runs as usual and shows its output shapes; if its outputs are of types ONNX Runtime can wrap and
 * together at most {@link #MAX_BYTES}, later runs of that kind get them pinned. A run whose
 * outputs turn out another shape (a model whose output shapes depend on the input values) is
 * refused by ONNX Runtime, which checks a pinned output's shape, and repeated without pinning;
 * its kind is then never pinned again. At most {@link #MAX_KINDS} kinds are kept.
 *
 * <p>Used by one execution at a time, as its instance is.
 */
final class PinnedOutputs implements AutoCloseable {
  /** The most bytes pinned for the outputs of one kind of run. */
  static final int MAX_BYTES = 64 * 1024;
  /** The most kinds of run remembered. */
  static final int MAX_KINDS = 64;

  /** One output's memory and the tensor over it. */
  private record Pin(String name, DataType type, long[] shape, ByteBuffer memory, OnnxTensor tensor) {}

  /** The pinned outputs of one kind of run; empty for a kind never to pin. */
  private record Pins(Map<String, Pin> byName, Map<String, OnnxTensor> tensors) {
    static final Pins NEVER = new Pins(Map.of());

    Pins(Map<String, Pin> byName) {
      this(byName, tensorsOf(byName));
    }

    private static Map<String, OnnxTensor> tensorsOf(Map<String, Pin> byName) {
      Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
      byName.forEach((name, pin) -> tensors.put(name, pin.tensor()));
      return Map.copyOf(tensors);
    }
  }

  private final OrtEnvironment environment;
  private final ModelSignature signature;
  private final Map<Kind, Pins> byKind = new HashMap<>();

  PinnedOutputs(OrtEnvironment environment, ModelSignature signature) {
    this.environment = environment;
    this.signature = signature;
  }

  /**
   * The kind of a run, in the signature's order: each input's rank and dimensions (-1 for an
   * absent optional input), then 1 or 0 for each output, requested or not. Computed on every
   * run, so a flat array rather than text.
   */
  static final class Kind {
    private final long[] key;
    private final int hash;

    private Kind(long[] key) {
      this.key = key;
      this.hash = Arrays.hashCode(key);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Kind kind && hash == kind.hash && Arrays.equals(key, kind.key);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public String toString() {
      return Arrays.toString(key);
    }
  }

  Kind kind(Map<String, Tensor> inputs, Set<String> outputs) {
    int length = signature.outputs().size();
    for (TensorSpec input : signature.inputs()) {
      Tensor tensor = inputs.get(input.name());
      length += tensor == null ? 1 : 1 + tensor.rank();
    }
    long[] key = new long[length];
    int at = 0;
    for (TensorSpec input : signature.inputs()) {
      Tensor tensor = inputs.get(input.name());
      if (tensor == null) {
        key[at++] = -1;
        continue;
      }
      key[at++] = tensor.rank();
      for (int d = 0; d < tensor.rank(); d++) {
        key[at++] = tensor.dim(d);
      }
    }
    for (TensorSpec output : signature.outputs()) {
      key[at++] = outputs.contains(output.name()) ? 1 : 0;
    }
    return new Kind(key);
  }

  /** The tensors to pass ONNX Runtime as pinned outputs for a run of {@code kind}, if any. */
  Optional<Map<String, OnnxTensor>> tensors(Kind kind) {
    Pins pins = byKind.get(kind);
    if (pins == null || pins.byName().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(pins.tensors());
  }

  /** Copies a pinned run's outputs out of the kept memory into tensors the caller owns. */
  Map<String, Tensor> copyOut(Kind kind) {
    Map<String, Tensor> outputs = new HashMap<>();
    for (Pin pin : byKind.get(kind).byName().values()) {
      ByteBuffer data = ByteBuffer.allocate(pin.memory().capacity()).order(ByteOrder.LITTLE_ENDIAN);
      data.put(pin.memory().duplicate().clear()).flip();
      outputs.put(pin.name(), new Tensor(pin.type(), pin.shape().clone(), data));
    }
    return outputs;
  }

  /**
   * Learns from a run of {@code kind} made without pinning: pins its outputs for the next runs
   * of that kind, or, when a pinned run of that kind was just refused ({@code pinningFailed}) and
   * the outputs came out of other shapes, never pins that kind again.
   */
  void learn(Kind kind, Map<String, Tensor> outputs, boolean pinningFailed) throws OrtException {
    Pins known = byKind.get(kind);
    if (known != null) {
      if (pinningFailed && !sameShapes(known, outputs)) {
        closeAll(known);
        byKind.put(kind, Pins.NEVER);
      }
      return;
    }
    if (byKind.size() >= MAX_KINDS) {
      return;
    }
    byKind.put(kind, pinnable(outputs) ? pin(outputs) : Pins.NEVER);
  }

  private static boolean pinnable(Map<String, Tensor> outputs) {
    long bytes = 0;
    for (Tensor output : outputs.values()) {
      if (ElementTypes.inputJavaType(output.dataType()).isEmpty()
          || output.dataType() == DataType.BYTES) {
        return false;
      }
      bytes += output.data().remaining();
    }
    return bytes <= MAX_BYTES;
  }

  private Pins pin(Map<String, Tensor> outputs) throws OrtException {
    Map<String, Pin> pins = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Tensor> output : outputs.entrySet()) {
        Tensor tensor = output.getValue();
        ByteBuffer memory =
            ByteBuffer.allocateDirect(tensor.data().remaining()).order(ByteOrder.nativeOrder());
        OnnxJavaType type = ElementTypes.inputJavaType(tensor.dataType()).orElseThrow();
        long[] shape = tensor.shape().clone();
        pins.put(output.getKey(), new Pin(output.getKey(), tensor.dataType(), shape, memory,
            OnnxTensor.createTensor(environment, memory, shape, type)));
      }
    } catch (OrtException | RuntimeException e) {
      closeAll(new Pins(pins));
      throw e;
    }
    return new Pins(pins);
  }

  private static boolean sameShapes(Pins pins, Map<String, Tensor> outputs) {
    for (Map.Entry<String, Tensor> output : outputs.entrySet()) {
      Pin pin = pins.byName().get(output.getKey());
      if (pin == null || !Arrays.equals(pin.shape(), output.getValue().shape())) {
        return false;
      }
    }
    return true;
  }

  private static void closeAll(Pins pins) {
    pins.byName().values().forEach(pin -> pin.tensor().close());
  }

  @Override
  public void close() {
    byKind.values().forEach(PinnedOutputs::closeAll);
    byKind.clear();
  }
}
