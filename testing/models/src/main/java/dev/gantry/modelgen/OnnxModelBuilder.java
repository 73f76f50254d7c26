package dev.gantry.modelgen;

import dev.gantry.modelgen.onnx.GraphProto;
import dev.gantry.modelgen.onnx.ModelProto;
import dev.gantry.modelgen.onnx.NodeProto;
import dev.gantry.modelgen.onnx.OperatorSetIdProto;
import dev.gantry.modelgen.onnx.TensorShapeProto;
import dev.gantry.modelgen.onnx.TypeProto;
import dev.gantry.modelgen.onnx.ValueInfoProto;
import dev.gantry.spi.DataType;
import dev.gantry.spi.Shapes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Assembles a one-graph ONNX model in a few fluent calls, so that tests, benchmarks and examples
 * can make the models they need in Java instead of shipping binary files or calling Python.
 *
 * <p>Types are Gantry's {@link DataType}s ({@link DataType#BYTES} is ONNX's {@code STRING}).
 * Dimensions of inputs and outputs are sizes, or {@link Shapes#VARIABLE} (-1) for a symbolic
 * dimension: {@code batch} when it is the first, {@code d<i>} otherwise, so that values of the same
 * model sharing a variable first dimension share the batch symbol. Models target ONNX IR version
 * {@value #IR_VERSION} and, unless told otherwise, the default-domain opset {@value
 * #DEFAULT_OPSET}.
 */
public final class OnnxModelBuilder {
  /** The ONNX IR version of the models written. */
  public static final long IR_VERSION = 8;

  /** The default-domain operator set used unless {@link #opset(int)} says otherwise. */
  public static final int DEFAULT_OPSET = 17;

  private static final String PRODUCER = "gantry-modelgen";

  private final GraphProto.Builder graph;
  private int opset = DEFAULT_OPSET;

  /** Starts an empty graph with this name. */
  public OnnxModelBuilder(String graphName) {
    this.graph = GraphProto.newBuilder().setName(graphName);
  }

  /** Binds the model's nodes to this version of the default ONNX operator set. */
  public OnnxModelBuilder opset(int version) {
    this.opset = version;
    return this;
  }

  /** Declares a tensor input of the graph. */
  public OnnxModelBuilder input(String name, DataType type, long... dims) {
    graph.addInput(tensorValue(name, type, dims));
    return this;
  }

  /** Declares a tensor output of the graph. */
  public OnnxModelBuilder output(String name, DataType type, long... dims) {
    graph.addOutput(tensorValue(name, type, dims));
    return this;
  }

  /**
   * Declares an output that is a sequence of tensors of unknown shape, a type that ONNX allows but
   * that inference servers do not serve; for testing that backends refuse it.
   */
  public OnnxModelBuilder sequenceOutput(String name, DataType elementType) {
    TypeProto element =
        TypeProto.newBuilder()
            .setTensorType(
                TypeProto.Tensor.newBuilder()
                    .setElemType(OnnxElementTypes.of(elementType).getNumber()))
            .build();
    graph.addOutput(
        ValueInfoProto.newBuilder()
            .setName(name)
            .setType(
                TypeProto.newBuilder()
                    .setSequenceType(TypeProto.Sequence.newBuilder().setElemType(element))));
    return this;
  }

  /**
   * Adds a constant tensor the nodes can read by name.
   *
   * @param littleEndianData the elements from position to limit: little-endian and row-major for
   *     fixed-size types; for {@link DataType#BYTES}, 4-byte little-endian lengths each followed by
   *     the element's bytes
   * @throws IllegalArgumentException if the data does not hold exactly the shape's elements
   */
  public OnnxModelBuilder initializer(
      String name, DataType type, long[] dims, ByteBuffer littleEndianData) {
    graph.addInitializer(TensorProtos.of(name, type, dims, littleEndianData));
    return this;
  }

  /** Adds a constant {@link DataType#FP32} tensor with these row-major values. */
  public OnnxModelBuilder initializer(String name, long[] dims, float... values) {
    ByteBuffer data =
        ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    data.asFloatBuffer().put(values);
    return initializer(name, DataType.FP32, dims, data);
  }

  /**
   * Appends a node of the default domain; nodes must be added in an order where every value is
   * produced before it is read.
   */
  public OnnxModelBuilder node(
      String opType, List<String> inputs, List<String> outputs, NodeAttribute... attributes) {
    NodeProto.Builder node =
        NodeProto.newBuilder()
            .setOpType(opType)
            .setName(opType + "_" + graph.getNodeCount())
            .addAllInput(inputs)
            .addAllOutput(outputs);
    for (NodeAttribute attribute : attributes) {
      node.addAttribute(attribute.proto());
    }
    graph.addNode(node);
    return this;
  }

  /** The model as a message, for callers that inspect it rather than write it. */
  public ModelProto toProto() {
    return ModelProto.newBuilder()
        .setIrVersion(IR_VERSION)
        .setProducerName(PRODUCER)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
        .setGraph(graph)
        .build();
  }

  /** The serialized model, the content of a {@code model.onnx} file. */
  public byte[] build() {
    return toProto().toByteArray();
  }

  /** Writes the model to a file, creating its parent directories. */
  public void write(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.write(file, build());
  }

  private static ValueInfoProto tensorValue(String name, DataType type, long[] dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (int i = 0; i < dims.length; i++) {
      shape.addDim(dimension(dims, i));
    }
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            TypeProto.newBuilder()
                .setTensorType(
                    TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxElementTypes.of(type).getNumber())
                        .setShape(shape)))
        .build();
  }

  private static TensorShapeProto.Dimension dimension(long[] dims, int index) {
    long size = dims[index];
    if (size == Shapes.VARIABLE) {
      return TensorShapeProto.Dimension.newBuilder()
          .setDimParam(index == 0 ? "batch" : "d" + index)
          .build();
    }
    if (size < 0) {
      throw new IllegalArgumentException(
          "dimension " + index + " of " + Arrays.toString(dims) + " is negative but not -1");
    }
    return TensorShapeProto.Dimension.newBuilder().setDimValue(size).build();
  }
}
