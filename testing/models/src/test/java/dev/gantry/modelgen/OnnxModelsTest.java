package dev.gantry.modelgen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.modelgen.onnx.GraphProto;
import dev.gantry.modelgen.onnx.ModelProto;
import dev.gantry.modelgen.onnx.NodeProto;
import dev.gantry.modelgen.onnx.TensorProto;
import dev.gantry.spi.DataType;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OnnxModelsTest {
  private static final Map<DataType, String> ONNX_TYPES =
      Map.ofEntries(
          Map.entry(DataType.BOOL, "BOOL"),
          Map.entry(DataType.UINT8, "UINT8"),
          Map.entry(DataType.UINT16, "UINT16"),
          Map.entry(DataType.UINT32, "UINT32"),
          Map.entry(DataType.UINT64, "UINT64"),
          Map.entry(DataType.INT8, "INT8"),
          Map.entry(DataType.INT16, "INT16"),
          Map.entry(DataType.INT32, "INT32"),
          Map.entry(DataType.INT64, "INT64"),
          Map.entry(DataType.FP16, "FLOAT16"),
          Map.entry(DataType.BF16, "BFLOAT16"),
          Map.entry(DataType.FP32, "FLOAT"),
          Map.entry(DataType.FP64, "DOUBLE"),
          Map.entry(DataType.BYTES, "STRING"));

  @ParameterizedTest
  @EnumSource(DataType.class)
  void identityCopiesOneInputOfAnyType(DataType type) throws Exception {
    GraphProto graph = graph(OnnxModels.identity("in", "out", type, -1, 3));
    String onnxType = ONNX_TYPES.get(type);
    assertEquals(
        List.of("in:" + onnxType + "[batch,3]"), ValueInfos.describe(graph.getInputList()));
    assertEquals(
        List.of("out:" + onnxType + "[batch,3]"), ValueInfos.describe(graph.getOutputList()));
    assertEquals(List.of("Identity"), opTypes(graph));
  }

  @Test
  void addSubHasTritonsSimpleSignature() throws Exception {
    GraphProto graph = graph(OnnxModels.addSub(DataType.INT32, -1, 16));
    assertEquals(
        List.of("INPUT0:INT32[batch,16]", "INPUT1:INT32[batch,16]"),
        ValueInfos.describe(graph.getInputList()));
    assertEquals(
        List.of("OUTPUT0:INT32[batch,16]", "OUTPUT1:INT32[batch,16]"),
        ValueInfos.describe(graph.getOutputList()));
    NodeProto add = graph.getNode(0);
    NodeProto sub = graph.getNode(1);
    assertEquals("Add", add.getOpType());
    assertEquals(List.of("INPUT0", "INPUT1"), add.getInputList());
    assertEquals(List.of("OUTPUT0"), add.getOutputList());
    assertEquals("Sub", sub.getOpType());
    assertEquals(List.of("INPUT0", "INPUT1"), sub.getInputList());
    assertEquals(List.of("OUTPUT1"), sub.getOutputList());
  }

  @Test
  void mlpStacksDenseLayersWithBoundedWeights() throws Exception {
    GraphProto graph = graph(OnnxModels.mlp(8, 16, 2, 3, 42));
    assertEquals(List.of("input:FLOAT[batch,8]"), ValueInfos.describe(graph.getInputList()));
    assertEquals(List.of("output:FLOAT[batch,3]"), ValueInfos.describe(graph.getOutputList()));
    assertEquals(
        List.of("MatMul", "Add", "Relu", "MatMul", "Add", "Relu", "MatMul", "Add"), opTypes(graph));
    assertEquals(
        List.of(
            List.of(8L, 16L), List.of(16L),
            List.of(16L, 16L), List.of(16L),
            List.of(16L, 3L), List.of(3L)),
        graph.getInitializerList().stream().map(TensorProto::getDimsList).toList());

    FloatBuffer firstWeights =
        graph
            .getInitializer(0)
            .getRawData()
            .asReadOnlyByteBuffer()
            .order(ByteOrder.LITTLE_ENDIAN)
            .asFloatBuffer();
    float bound = (float) (1 / Math.sqrt(8));
    boolean anyNonZero = false;
    while (firstWeights.hasRemaining()) {
      float weight = firstWeights.get();
      assertTrue(Math.abs(weight) <= bound, () -> weight + " exceeds " + bound);
      anyNonZero |= weight != 0;
    }
    assertTrue(anyNonZero);
  }

  @Test
  void mlpIsDeterministicInItsSeed() {
    assertArrayEquals(OnnxModels.mlp(4, 8, 1, 2, 7), OnnxModels.mlp(4, 8, 1, 2, 7));
    assertFalse(Arrays.equals(OnnxModels.mlp(4, 8, 1, 2, 7), OnnxModels.mlp(4, 8, 1, 2, 8)));
  }

  @Test
  void mlpRefusesEmptyLayers() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> OnnxModels.mlp(4, 8, 0, 2, 1));
    assertEquals(
        "mlp sizes must be positive: inputs=4 hidden=8 hiddenLayers=0 outputs=2",
        error.getMessage());
  }

  @Test
  void mixedHasThreeDatatypesSharingTheBatchDimension() throws Exception {
    GraphProto graph = graph(OnnxModels.mixed());
    assertEquals(
        List.of("features:FLOAT[batch,4]", "offset:INT64[batch,1]", "label:STRING[batch,1]"),
        ValueInfos.describe(graph.getInputList()));
    assertEquals(
        List.of("scores:FLOAT[batch,4]", "label_out:STRING[batch,1]"),
        ValueInfos.describe(graph.getOutputList()));
    assertEquals(List.of("Cast", "Add", "Identity"), opTypes(graph));
    assertEquals(TensorProto.DataType.FLOAT_VALUE, graph.getNode(0).getAttribute(0).getI());
  }

  @Test
  void scalarIncrementHasRankZeroValues() throws Exception {
    GraphProto graph = graph(OnnxModels.scalarIncrement());
    assertEquals(List.of("x:INT64[]"), ValueInfos.describe(graph.getInputList()));
    assertEquals(List.of("y:INT64[]"), ValueInfos.describe(graph.getOutputList()));
    assertEquals(0, graph.getInitializer(0).getDimsCount());
  }

  @Test
  void oddNamesKeepsPunctuationInNames() throws Exception {
    GraphProto graph = graph(OnnxModels.oddNames());
    assertEquals(List.of("input:0:FLOAT[batch,3]"), ValueInfos.describe(graph.getInputList()));
    assertEquals(List.of("a/b.c:FLOAT[batch,3]"), ValueInfos.describe(graph.getOutputList()));
  }

  @Test
  void fixedTransposeHasNoVariableDimension() throws Exception {
    GraphProto graph = graph(OnnxModels.fixedTranspose());
    assertEquals(List.of("x:FLOAT[2,3]"), ValueInfos.describe(graph.getInputList()));
    assertEquals(List.of("y:FLOAT[3,2]"), ValueInfos.describe(graph.getOutputList()));
    assertEquals(List.of(1L, 0L), graph.getNode(0).getAttribute(0).getIntsList());
  }

  @Test
  void castConvertsBetweenTypes() throws Exception {
    GraphProto graph = graph(OnnxModels.cast(DataType.INT32, DataType.UINT64, -1));
    assertEquals(List.of("input:INT32[batch]"), ValueInfos.describe(graph.getInputList()));
    assertEquals(List.of("output:UINT64[batch]"), ValueInfos.describe(graph.getOutputList()));
    assertEquals(TensorProto.DataType.UINT64_VALUE, graph.getNode(0).getAttribute(0).getI());
  }

  @Test
  void sequenceOutputIsNotATensor() throws Exception {
    GraphProto graph = graph(OnnxModels.sequenceOutput());
    assertEquals(List.of("seq:sequence"), ValueInfos.describe(graph.getOutputList()));
  }

  private static GraphProto graph(byte[] model) throws Exception {
    return ModelProto.parseFrom(model).getGraph();
  }

  private static List<String> opTypes(GraphProto graph) {
    return graph.getNodeList().stream().map(NodeProto::getOpType).toList();
  }
}
