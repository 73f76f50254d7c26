package dev.gantry.modelgen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.gantry.modelgen.onnx.AttributeProto;
import dev.gantry.modelgen.onnx.AttributeProto.AttributeType;
import dev.gantry.modelgen.onnx.ModelProto;
import dev.gantry.modelgen.onnx.NodeProto;
import dev.gantry.modelgen.onnx.TensorProto;
import dev.gantry.spi.BytesElements;
import dev.gantry.spi.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxModelBuilderTest {
  @Test
  void writesIrVersionOpsetAndProducer() throws Exception {
    ModelProto defaults = ModelProto.parseFrom(new OnnxModelBuilder("g").build());
    assertEquals(8, defaults.getIrVersion());
    assertEquals("gantry-modelgen", defaults.getProducerName());
    assertEquals(1, defaults.getOpsetImportCount());
    assertEquals("", defaults.getOpsetImport(0).getDomain());
    assertEquals(17, defaults.getOpsetImport(0).getVersion());
    assertEquals("g", defaults.getGraph().getName());

    ModelProto opset13 = ModelProto.parseFrom(new OnnxModelBuilder("g").opset(13).build());
    assertEquals(13, opset13.getOpsetImport(0).getVersion());
  }

  @Test
  void namesVariableDimensionsBatchOrByPosition() {
    ModelProto model =
        new OnnxModelBuilder("g")
            .input("x", DataType.FP32, -1, 16, -1)
            .input("s", DataType.INT64)
            .output("y", DataType.BYTES, 3, -1)
            .toProto();
    assertEquals(
        List.of("x:FLOAT[batch,16,d2]", "s:INT64[]"),
        ValueInfos.describe(model.getGraph().getInputList()));
    assertEquals(List.of("y:STRING[3,d1]"), ValueInfos.describe(model.getGraph().getOutputList()));
  }

  @Test
  void refusesNegativeDimensionsOtherThanVariable() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> new OnnxModelBuilder("g").input("x", DataType.FP32, 2, -3));
    assertEquals("dimension 1 of [2, -3] is negative but not -1", error.getMessage());
  }

  @Test
  void storesFixedSizeInitializersAsLittleEndianRawData() {
    TensorProto weights =
        new OnnxModelBuilder("g")
            .initializer("w", new long[] {2}, 1.0f, -2.5f)
            .toProto()
            .getGraph()
            .getInitializer(0);
    assertEquals("w", weights.getName());
    assertEquals(TensorProto.DataType.FLOAT_VALUE, weights.getDataType());
    assertEquals(List.of(2L), weights.getDimsList());
    ByteBuffer expected = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    expected.putFloat(1.0f).putFloat(-2.5f).flip();
    assertEquals(ByteString.copyFrom(expected), weights.getRawData());
  }

  @Test
  void storesBytesInitializersAsStringData() {
    ByteBuffer elements = BytesElements.join(new byte[][] {{'a'}, {}, {(byte) 0xff, 0}});
    TensorProto strings =
        new OnnxModelBuilder("g")
            .initializer("s", DataType.BYTES, new long[] {3}, elements)
            .toProto()
            .getGraph()
            .getInitializer(0);
    assertEquals(TensorProto.DataType.STRING_VALUE, strings.getDataType());
    assertEquals(
        List.of(
            ByteString.copyFrom(new byte[] {'a'}),
            ByteString.EMPTY,
            ByteString.copyFrom(new byte[] {(byte) 0xff, 0})),
        strings.getStringDataList());
    assertTrue(strings.getRawData().isEmpty());
  }

  @Test
  void refusesInitializerDataThatDoesNotMatchTheShape() {
    IllegalArgumentException fixed =
        assertThrows(
            IllegalArgumentException.class,
            () -> new OnnxModelBuilder("g").initializer("w", new long[] {2, 2}, 1f, 2f, 3f));
    assertEquals(
        "tensor w of shape [2,2] needs 16 bytes of FP32, the data holds 12", fixed.getMessage());

    IllegalArgumentException bytes =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new OnnxModelBuilder("g")
                    .initializer(
                        "s",
                        DataType.BYTES,
                        new long[] {2},
                        BytesElements.join(new byte[][] {{}})));
    assertEquals("tensor s of shape [2] needs 2 elements, the data holds 1", bytes.getMessage());
  }

  @Test
  void addsNodesInOrderWithTypedAttributes() {
    ByteBuffer one = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1);
    List<NodeProto> nodes =
        new OnnxModelBuilder("g")
            .node("Cast", List.of("a"), List.of("b"), NodeAttribute.ofInt("to", 1))
            .node(
                "Custom",
                List.of("b", "c"),
                List.of("d", "e"),
                NodeAttribute.ofInts("axes", 0, -1),
                NodeAttribute.ofFloat("alpha", 0.5f),
                NodeAttribute.ofString("mode", "constant"),
                NodeAttribute.ofTensor("value", DataType.INT64, new long[0], one))
            .toProto()
            .getGraph()
            .getNodeList();

    assertEquals(2, nodes.size());
    NodeProto cast = nodes.get(0);
    assertEquals("Cast", cast.getOpType());
    assertEquals("Cast_0", cast.getName());
    assertEquals(List.of("a"), cast.getInputList());
    assertEquals(List.of("b"), cast.getOutputList());
    assertEquals(AttributeType.INT, cast.getAttribute(0).getType());
    assertEquals(1, cast.getAttribute(0).getI());

    NodeProto custom = nodes.get(1);
    assertEquals("Custom_1", custom.getName());
    assertEquals(List.of("b", "c"), custom.getInputList());
    assertEquals(List.of("d", "e"), custom.getOutputList());
    List<AttributeProto> attributes = custom.getAttributeList();
    assertEquals(AttributeType.INTS, attributes.get(0).getType());
    assertEquals(List.of(0L, -1L), attributes.get(0).getIntsList());
    assertEquals(AttributeType.FLOAT, attributes.get(1).getType());
    assertEquals(0.5f, attributes.get(1).getF());
    assertEquals(AttributeType.STRING, attributes.get(2).getType());
    assertEquals("constant", attributes.get(2).getS().toStringUtf8());
    assertEquals(AttributeType.TENSOR, attributes.get(3).getType());
    assertEquals(TensorProto.DataType.INT64_VALUE, attributes.get(3).getT().getDataType());
    assertEquals(0, attributes.get(3).getT().getDimsCount());
    assertEquals(ByteString.copyFrom(one), attributes.get(3).getT().getRawData());
  }

  @Test
  void declaresSequenceOutputs() {
    ModelProto model = new OnnxModelBuilder("g").sequenceOutput("seq", DataType.FP32).toProto();
    var sequence = model.getGraph().getOutput(0).getType().getSequenceType();
    assertEquals(
        TensorProto.DataType.FLOAT_VALUE, sequence.getElemType().getTensorType().getElemType());
  }

  @Test
  void writesTheModelCreatingDirectories(@TempDir Path directory) throws Exception {
    OnnxModelBuilder builder =
        new OnnxModelBuilder("g")
            .input("x", DataType.FP32, 1)
            .output("y", DataType.FP32, 1)
            .node("Identity", List.of("x"), List.of("y"));
    Path file = directory.resolve("m/1/model.onnx");

    builder.write(file);

    assertArrayEquals(builder.build(), Files.readAllBytes(file));
  }
}
