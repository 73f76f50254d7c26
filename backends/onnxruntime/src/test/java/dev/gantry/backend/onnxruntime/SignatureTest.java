package dev.gantry.backend.onnxruntime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gantry.modelgen.OnnxModels;
import dev.gantry.spi.DataType;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.ModelSignature;
import dev.gantry.spi.TensorSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SignatureTest {
  @TempDir Path root;

  private final OnnxRuntimeBackend backend = new OnnxRuntimeBackend();

  @Test
  void addSubInModelOrder() throws Exception {
    assertEquals(
        new ModelSignature(
            List.of(fp32("INPUT0", -1, 16), fp32("INPUT1", -1, 16)),
            List.of(fp32("OUTPUT0", -1, 16), fp32("OUTPUT1", -1, 16))),
        signature(OnnxModels.addSub(DataType.FP32, -1, 16)));
  }

  @Test
  void mixedDatatypesWithStringsAsBytes() throws Exception {
    assertEquals(
        new ModelSignature(
            List.of(
                fp32("features", -1, 4),
                new TensorSpec("offset", DataType.INT64, new long[] {-1, 1}),
                new TensorSpec("label", DataType.BYTES, new long[] {-1, 1})),
            List.of(
                fp32("scores", -1, 4),
                new TensorSpec("label_out", DataType.BYTES, new long[] {-1, 1}))),
        signature(OnnxModels.mixed()));
  }

  @Test
  void scalarsHaveRankZero() throws Exception {
    assertEquals(
        new ModelSignature(
            List.of(new TensorSpec("x", DataType.INT64, new long[0])),
            List.of(new TensorSpec("y", DataType.INT64, new long[0]))),
        signature(OnnxModels.scalarIncrement()));
  }

  @Test
  void oddNamesAreKept() throws Exception {
    assertEquals(
        new ModelSignature(List.of(fp32("input:0", -1, 3)), List.of(fp32("a/b.c", -1, 3))),
        signature(OnnxModels.oddNames()));
  }

  @Test
  void fixedShapesHaveNoVariableDimension() throws Exception {
    assertEquals(
        new ModelSignature(List.of(fp32("x", 2, 3)), List.of(fp32("y", 3, 2))),
        signature(OnnxModels.fixedTranspose()));
  }

  @Test
  void everySymbolicDimensionIsVariable() throws Exception {
    assertEquals(
        new ModelSignature(List.of(fp32("in", -1, 5, -1)), List.of(fp32("out", -1, 5, -1))),
        signature(OnnxModels.identity("in", "out", DataType.FP32, -1, 5, -1)));
  }

  @Test
  void mlpHasItsInputAndOutputWidths() throws Exception {
    assertEquals(
        new ModelSignature(List.of(fp32("input", -1, 12)), List.of(fp32("output", -1, 3))),
        signature(OnnxModels.mlp(12, 8, 2, 3, 5)));
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"UINT16", "UINT32", "UINT64"},
      mode = EnumSource.Mode.EXCLUDE)
  void identityOfEveryInputType(DataType type) throws Exception {
    assertEquals(
        new ModelSignature(
            List.of(new TensorSpec("in", type, new long[] {-1, 2})),
            List.of(new TensorSpec("out", type, new long[] {-1, 2}))),
        signature(OnnxModels.identity("in", "out", type, -1, 2)));
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"UINT16", "UINT32", "UINT64"})
  void unsignedOutputs(DataType type) throws Exception {
    assertEquals(
        List.of(new TensorSpec("output", type, new long[] {-1})),
        signature(OnnxModels.cast(DataType.INT64, type, -1)).outputs());
  }

  private ModelSignature signature(byte[] model) throws Exception {
    try (ModelInstance instance = backend.load(TestModels.write(root, "m", model))) {
      return instance.signature();
    }
  }

  private static TensorSpec fp32(String name, long... shape) {
    return new TensorSpec(name, DataType.FP32, shape);
  }
}
