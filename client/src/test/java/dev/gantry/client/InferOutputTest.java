package dev.gantry.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import dev.gantry.proto.InferTensorContents;
import dev.gantry.proto.ModelInferResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class InferOutputTest {
  @Test
  void readsTypedContentsOfEveryDatatype() {
    InferResult result =
        new InferResult(
            ModelInferResponse.newBuilder()
                .addOutputs(
                    typed(
                        "BOOL",
                        InferTensorContents.newBuilder()
                            .addBoolContents(true)
                            .addBoolContents(false)))
                .addOutputs(
                    typed(
                        "INT8",
                        InferTensorContents.newBuilder().addIntContents(-5).addIntContents(127)))
                .addOutputs(
                    typed(
                        "UINT8",
                        InferTensorContents.newBuilder().addUintContents(255).addUintContents(1)))
                .addOutputs(
                    typed(
                        "INT16",
                        InferTensorContents.newBuilder().addIntContents(-300).addIntContents(300)))
                .addOutputs(
                    typed(
                        "UINT16",
                        InferTensorContents.newBuilder().addUintContents(65535).addUintContents(2)))
                .addOutputs(
                    typed(
                        "INT32",
                        InferTensorContents.newBuilder()
                            .addIntContents(Integer.MIN_VALUE)
                            .addIntContents(7)))
                .addOutputs(
                    typed(
                        "UINT32",
                        InferTensorContents.newBuilder().addUintContents(-1).addUintContents(3)))
                .addOutputs(
                    typed(
                        "INT64",
                        InferTensorContents.newBuilder()
                            .addInt64Contents(Long.MIN_VALUE)
                            .addInt64Contents(9)))
                .addOutputs(
                    typed(
                        "UINT64",
                        InferTensorContents.newBuilder()
                            .addUint64Contents(-1L)
                            .addUint64Contents(4)))
                .addOutputs(
                    typed(
                        "FP32",
                        InferTensorContents.newBuilder()
                            .addFp32Contents(1.5f)
                            .addFp32Contents(-0.25f)))
                .addOutputs(
                    typed(
                        "FP64",
                        InferTensorContents.newBuilder()
                            .addFp64Contents(Math.E)
                            .addFp64Contents(-1e300)))
                .addOutputs(
                    typed(
                        "BYTES",
                        InferTensorContents.newBuilder()
                            .addBytesContents(ByteString.copyFromUtf8("żółw"))
                            .addBytesContents(ByteString.EMPTY)))
                .build());
    assertArrayEquals(new boolean[] {true, false}, result.output("BOOL").asBooleans());
    assertArrayEquals(new byte[] {-5, 127}, result.output("INT8").asBytes());
    assertArrayEquals(new byte[] {-1, 1}, result.output("UINT8").asBytes());
    assertArrayEquals(new short[] {-300, 300}, result.output("INT16").asShorts());
    assertArrayEquals(new short[] {-1, 2}, result.output("UINT16").asShorts());
    assertArrayEquals(new int[] {Integer.MIN_VALUE, 7}, result.output("INT32").asInts());
    assertArrayEquals(new int[] {-1, 3}, result.output("UINT32").asInts());
    assertArrayEquals(new long[] {Long.MIN_VALUE, 9}, result.output("INT64").asLongs());
    assertArrayEquals(new long[] {-1L, 4}, result.output("UINT64").asLongs());
    assertArrayEquals(new float[] {1.5f, -0.25f}, result.output("FP32").asFloats());
    assertArrayEquals(new double[] {Math.E, -1e300}, result.output("FP64").asDoubles());
    assertEquals(List.of("żółw", ""), result.output("BYTES").asStrings());
  }

  @Test
  void refusesToReadAnotherDatatype() {
    InferOutput output = fp32Output(new float[] {1f, 2f});
    IllegalStateException error = assertThrows(IllegalStateException.class, output::asInts);
    assertEquals("output \"OUTPUT0\" is FP32; asInts() reads INT32 or UINT32", error.getMessage());
    assertThrows(IllegalStateException.class, output::asDoubles);
    assertThrows(IllegalStateException.class, output::asFloatsFromHalf);
    assertThrows(IllegalStateException.class, output::asStrings);
    assertArrayEquals(new float[] {1f, 2f}, output.asFloats());
  }

  @Test
  void exposesShapeDatatypeAndTheRawBuffer() {
    InferOutput output = fp32Output(new float[] {1f, 2f});
    assertArrayEquals(new long[] {1, 2}, output.shape());
    assertEquals(TensorDatatype.FP32, output.datatype());
    assertEquals(2, output.elementCount());
    assertEquals(2f, output.buffer().getFloat(4));
  }

  @Test
  void rejectsMalformedResponses() {
    ModelInferResponse.InferOutputTensor tensor =
        ModelInferResponse.InferOutputTensor.newBuilder()
            .setName("OUT")
            .setDatatype("FP32")
            .addShape(3)
            .build();
    ModelInferResponse tooShort =
        ModelInferResponse.newBuilder()
            .addOutputs(tensor)
            .addRawOutputContents(ByteString.copyFrom(new byte[8]))
            .build();
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> new InferResult(tooShort));
    assertEquals(
        "output \"OUT\": FP32 [3] needs 12 bytes but the server sent 8", error.getMessage());

    ModelInferResponse unpaired =
        ModelInferResponse.newBuilder()
            .addOutputs(tensor)
            .addOutputs(tensor.toBuilder().setName("OTHER"))
            .addRawOutputContents(ByteString.copyFrom(new byte[12]))
            .build();
    assertThrows(IllegalArgumentException.class, () -> new InferResult(unpaired));

    ModelInferResponse unknownType =
        ModelInferResponse.newBuilder().addOutputs(tensor.toBuilder().setDatatype("FP8")).build();
    assertThrows(IllegalArgumentException.class, () -> new InferResult(unknownType));

    ModelInferResponse wrongCount =
        ModelInferResponse.newBuilder()
            .addOutputs(tensor.toBuilder().setDatatype("BYTES"))
            .addRawOutputContents(
                RawContents.ofElements(List.of("a".getBytes(StandardCharsets.UTF_8))))
            .build();
    InferOutput bytes = new InferResult(wrongCount).output("OUT");
    assertThrows(IllegalStateException.class, bytes::asStrings);
  }

  @Test
  void namesTheMissingOutput() {
    InferResult result =
        new InferResult(
            ModelInferResponse.newBuilder()
                .addOutputs(typed("INT32", InferTensorContents.newBuilder()))
                .build());
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> result.output("NOPE"));
    assertEquals("the response has no output \"NOPE\"; it has [INT32]", error.getMessage());
  }

  private static InferOutput fp32Output(float[] values) {
    return new InferResult(
            ModelInferResponse.newBuilder()
                .addOutputs(
                    ModelInferResponse.InferOutputTensor.newBuilder()
                        .setName("OUTPUT0")
                        .setDatatype("FP32")
                        .addShape(1)
                        .addShape(values.length))
                .addRawOutputContents(RawContents.ofFloats(values))
                .build())
        .output("OUTPUT0");
  }

  private static ModelInferResponse.InferOutputTensor typed(
      String datatype, InferTensorContents.Builder contents) {
    int count =
        contents.getBoolContentsCount()
            + contents.getIntContentsCount()
            + contents.getUintContentsCount()
            + contents.getInt64ContentsCount()
            + contents.getUint64ContentsCount()
            + contents.getFp32ContentsCount()
            + contents.getFp64ContentsCount()
            + contents.getBytesContentsCount();
    return ModelInferResponse.InferOutputTensor.newBuilder()
        .setName(datatype)
        .setDatatype(datatype)
        .addShape(count)
        .setContents(contents)
        .build();
  }
}
