package dev.gantry.modelgen;

import dev.gantry.spi.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Ready-made ONNX models shared by the tests, benchmarks and examples, each returned as the bytes
 * of a {@code model.onnx} file.
 *
 * <p>Every model is small and built from standard operators, so that any ONNX runtime can run it
 * and a test can compute the expected result by hand. Dimensions given as -1 are variable; a
 * variable first dimension is the batch dimension.
 */
public final class OnnxModels {
  private OnnxModels() {}

  /** One input copied unchanged to one output (ONNX {@code Identity}); any datatype. */
  public static byte[] identity(String inputName, String outputName, DataType type, long... dims) {
    return new OnnxModelBuilder("identity")
        .input(inputName, type, dims)
        .output(outputName, type, dims)
        .node("Identity", List.of(inputName), List.of(outputName))
        .build();
  }

  /**
   * Triton's classic "simple" model: inputs {@code INPUT0} and {@code INPUT1}, outputs {@code
   * OUTPUT0 = INPUT0 + INPUT1} and {@code OUTPUT1 = INPUT0 - INPUT1}, all of one type and shape.
   * Runtimes implement Add and Sub at least for FP32, FP64, INT32 and INT64.
   */
  public static byte[] addSub(DataType type, long... dims) {
    return new OnnxModelBuilder("add_sub")
        .input("INPUT0", type, dims)
        .input("INPUT1", type, dims)
        .output("OUTPUT0", type, dims)
        .output("OUTPUT1", type, dims)
        .node("Add", List.of("INPUT0", "INPUT1"), List.of("OUTPUT0"))
        .node("Sub", List.of("INPUT0", "INPUT1"), List.of("OUTPUT1"))
        .build();
  }

  /**
   * A compute-bound multi-layer perceptron for batching benchmarks: {@code input} FP32 {@code [-1,
   * inputs]} goes through {@code hiddenLayers} layers of MatMul, Add and Relu of width {@code
   * hidden}, then one MatMul and Add to {@code output} FP32 {@code [-1, outputs]}.
   *
   * <p>Weights and biases are drawn uniformly from {@code ±1/sqrt(fan-in)} by a generator seeded
   * with {@code seed}, so the same arguments always give the same model and activations stay of
   * order one. For example {@code mlp(512, 2048, 2, 10, 1)} is 512→2048→2048→10.
   */
  public static byte[] mlp(int inputs, int hidden, int hiddenLayers, int outputs, long seed) {
    if (inputs < 1 || hidden < 1 || hiddenLayers < 1 || outputs < 1) {
      throw new IllegalArgumentException(
          "mlp sizes must be positive: inputs="
              + inputs
              + " hidden="
              + hidden
              + " hiddenLayers="
              + hiddenLayers
              + " outputs="
              + outputs);
    }
    SplittableRandom random = new SplittableRandom(seed);
    OnnxModelBuilder model =
        new OnnxModelBuilder("mlp")
            .input("input", DataType.FP32, -1, inputs)
            .output("output", DataType.FP32, -1, outputs);
    String previous = "input";
    int width = inputs;
    for (int layer = 0; layer < hiddenLayers; layer++) {
      String name = "hidden" + layer;
      dense(model, random, name, previous, width, hidden, name + "/linear");
      model.node("Relu", List.of(name + "/linear"), List.of(name + "/relu"));
      previous = name + "/relu";
      width = hidden;
    }
    dense(model, random, "logits", previous, width, outputs, "output");
    return model.build();
  }

  /**
   * Inputs of three datatypes sharing a variable batch dimension: {@code features} FP32 {@code
   * [-1,4]}, {@code offset} INT64 {@code [-1,1]} and {@code label} BYTES {@code [-1,1]}. Outputs
   * {@code scores} FP32 {@code [-1,4]}, each feature plus its row's offset (cast to float), and
   * {@code label_out} BYTES {@code [-1,1]}, the label unchanged.
   */
  public static byte[] mixed() {
    return new OnnxModelBuilder("mixed")
        .input("features", DataType.FP32, -1, 4)
        .input("offset", DataType.INT64, -1, 1)
        .input("label", DataType.BYTES, -1, 1)
        .output("scores", DataType.FP32, -1, 4)
        .output("label_out", DataType.BYTES, -1, 1)
        .node(
            "Cast",
            List.of("offset"),
            List.of("offset_fp32"),
            NodeAttribute.ofInt("to", OnnxElementTypes.of(DataType.FP32).getNumber()))
        .node("Add", List.of("features", "offset_fp32"), List.of("scores"))
        .node("Identity", List.of("label"), List.of("label_out"))
        .build();
  }

  /**
   * A 1x1 convolution with weight 1 of one-channel images: {@code X} FP32 {@code [-1,1,-1,-1]} to
   * {@code Y} of the same shape. ONNX Runtime refuses an image with a zero-sized side as an
   * invalid argument, which tests of that error use.
   */
  public static byte[] conv1x1() {
    return new OnnxModelBuilder("conv")
        .input("X", DataType.FP32, -1, 1, -1, -1)
        .initializer("W", new long[] {1, 1, 1, 1}, 1f)
        .output("Y", DataType.FP32, -1, 1, -1, -1)
        .node("Conv", List.of("X", "W"), List.of("Y"))
        .build();
  }

  /** A rank-0 model: {@code x} INT64 scalar in, {@code y = x + 1} INT64 scalar out. */
  public static byte[] scalarIncrement() {
    ByteBuffer one = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1);
    return new OnnxModelBuilder("scalar_increment")
        .input("x", DataType.INT64)
        .output("y", DataType.INT64)
        .initializer("one", DataType.INT64, new long[0], one)
        .node("Add", List.of("x", "one"), List.of("y"))
        .build();
  }

  /**
   * Tensor names with characters that are not identifiers, as exported by TensorFlow and PyTorch:
   * input {@code input:0} FP32 {@code [-1,3]} copied to output {@code a/b.c}.
   */
  public static byte[] oddNames() {
    return identity("input:0", "a/b.c", DataType.FP32, -1, 3);
  }

  /**
   * A model without a batch dimension whose output shape differs from its input's: {@code x} FP32
   * {@code [2,3]} transposed to {@code y} FP32 {@code [3,2]}.
   */
  public static byte[] fixedTranspose() {
    return new OnnxModelBuilder("fixed_transpose")
        .input("x", DataType.FP32, 2, 3)
        .output("y", DataType.FP32, 3, 2)
        .node("Transpose", List.of("x"), List.of("y"), NodeAttribute.ofInts("perm", 1, 0))
        .build();
  }

  /** {@code input} of one datatype converted to {@code output} of another (ONNX {@code Cast}). */
  public static byte[] cast(DataType from, DataType to, long... dims) {
    return new OnnxModelBuilder("cast")
        .input("input", from, dims)
        .output("output", to, dims)
        .node(
            "Cast",
            List.of("input"),
            List.of("output"),
            NodeAttribute.ofInt("to", OnnxElementTypes.of(to).getNumber()))
        .build();
  }

  /**
   * A model whose output is not a tensor: {@code x} FP32 {@code [-1]} wrapped into {@code seq}, a
   * sequence of FP32 tensors; servers must refuse to load it.
   */
  public static byte[] sequenceOutput() {
    return new OnnxModelBuilder("sequence_output")
        .input("x", DataType.FP32, -1)
        .sequenceOutput("seq", DataType.FP32)
        .node("SequenceConstruct", List.of("x"), List.of("seq"))
        .build();
  }

  private static void dense(
      OnnxModelBuilder model,
      SplittableRandom random,
      String name,
      String input,
      int fanIn,
      int fanOut,
      String output) {
    double bound = 1 / Math.sqrt(fanIn);
    model
        .initializer(
            name + "/weight",
            DataType.FP32,
            new long[] {fanIn, fanOut},
            uniform(random, (long) fanIn * fanOut, bound))
        .initializer(
            name + "/bias", DataType.FP32, new long[] {fanOut}, uniform(random, fanOut, bound))
        .node("MatMul", List.of(input, name + "/weight"), List.of(name + "/matmul"))
        .node("Add", List.of(name + "/matmul", name + "/bias"), List.of(output));
  }

  private static ByteBuffer uniform(SplittableRandom random, long count, double bound) {
    ByteBuffer data =
        ByteBuffer.allocate(Math.toIntExact(Math.multiplyExact(count, Float.BYTES)))
            .order(ByteOrder.LITTLE_ENDIAN);
    FloatBuffer values = data.asFloatBuffer();
    while (values.hasRemaining()) {
      values.put((float) random.nextDouble(-bound, bound));
    }
    return data;
  }
}
