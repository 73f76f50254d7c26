package dev.gantry.backend.onnxruntime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.modelgen.OnnxModels;
import dev.gantry.spi.ComputePhases;
import dev.gantry.spi.DataType;
import dev.gantry.spi.InstanceSpec;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outputs of known shape are written by ONNX Runtime into buffers allocated before the run (they
 * come back direct); others are copied out of ONNX Runtime's result (they come back on the heap).
 * Either way the values and shapes are those the model computes.
 */
class PinnedOutputsTest {
  @TempDir Path root;

  private final OnnxRuntimeBackend backend = new OnnxRuntimeBackend();

  @Test
  void aBatchingModelsOutputsArePinnedAtTheRunsBatchSize() throws Exception {
    try (ModelInstance instance = load("batched", OnnxModels.addSub(DataType.FP32, -1, 2), 8)) {
      long[] shape = {3, 2};
      Map<String, Tensor> outputs = instance.execute(
          Map.of(
              "INPUT0", TestTensors.fp32(shape, 1, 2, 3, 4, 5, 6),
              "INPUT1", TestTensors.fp32(shape, 1, 1, 1, 1, 1, 1)),
          Set.of("OUTPUT0", "OUTPUT1"),
          ComputePhases.IGNORED);

      for (String name : Set.of("OUTPUT0", "OUTPUT1")) {
        assertArrayEquals(shape, outputs.get(name).shape());
        assertTrue(outputs.get(name).data().isDirect(), name + " should have been pinned");
      }
      assertArrayEquals(new float[] {2, 3, 4, 5, 6, 7}, TestTensors.floats(outputs.get("OUTPUT0")));
      assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, TestTensors.floats(outputs.get("OUTPUT1")));
    }
  }

  @Test
  void aVariableDimensionOutsideTheBatchIsCopiedOut() throws Exception {
    try (ModelInstance instance = load("variable", OnnxModels.addSub(DataType.FP32, -1, -1), 8)) {
      long[] shape = {2, 3};
      Tensor sum = instance.execute(
              Map.of(
                  "INPUT0", TestTensors.fp32(shape, 1, 2, 3, 4, 5, 6),
                  "INPUT1", TestTensors.fp32(shape, 1, 1, 1, 1, 1, 1)),
              Set.of("OUTPUT0"),
              ComputePhases.IGNORED)
          .get("OUTPUT0");

      assertArrayEquals(shape, sum.shape());
      assertFalse(sum.data().isDirect(), "a shape known only after the run cannot be pinned");
      assertArrayEquals(new float[] {2, 3, 4, 5, 6, 7}, TestTensors.floats(sum));
    }
  }

  @Test
  void withoutBatchingAVariableFirstDimensionIsNotGuessed() throws Exception {
    try (ModelInstance instance = load("unbatched", OnnxModels.addSub(DataType.FP32, -1, 2), 0)) {
      long[] shape = {2, 2};
      Tensor sum = instance.execute(
              Map.of(
                  "INPUT0", TestTensors.fp32(shape, 1, 2, 3, 4),
                  "INPUT1", TestTensors.fp32(shape, 1, 1, 1, 1)),
              Set.of("OUTPUT0"),
              ComputePhases.IGNORED)
          .get("OUTPUT0");

      assertFalse(sum.data().isDirect());
      assertArrayEquals(new float[] {2, 3, 4, 5}, TestTensors.floats(sum));
    }
  }

  @Test
  void pinnedAndCopiedOutputsMixInOneRun() throws Exception {
    try (ModelInstance instance = load("transpose", OnnxModels.fixedTranspose(), 0)) {
      Tensor y = instance.execute(
              Map.of("x", TestTensors.fp32(new long[] {2, 3}, 1, 2, 3, 4, 5, 6)),
              Set.of("y"),
              ComputePhases.IGNORED)
          .get("y");
      assertTrue(y.data().isDirect(), "a fixed-shape output is pinned");
      assertArrayEquals(new long[] {3, 2}, y.shape());
      assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, TestTensors.floats(y));
    }
    try (ModelInstance instance = load("mixed", OnnxModels.mixed(), 8)) {
      Map<String, Tensor> outputs = instance.execute(
          Map.of(
              "features", TestTensors.fp32(new long[] {2, 4}, 0, 1, 2, 3, 4, 5, 6, 7),
              "offset", TestTensors.int64(new long[] {2, 1}, 100, -1),
              "label", TestTensors.bytes(new long[] {2, 1}, "cat", "dog")),
          Set.of("scores", "label_out"),
          ComputePhases.IGNORED);
      assertTrue(outputs.get("scores").data().isDirect(), "FP32 scores are pinned");
      assertArrayEquals(new float[] {100, 101, 102, 103, 3, 4, 5, 6},
          TestTensors.floats(outputs.get("scores")));
      assertEquals(DataType.BYTES, outputs.get("label_out").dataType());
      assertEquals(List.of("cat", "dog"), TestTensors.strings(outputs.get("label_out")));
    }
  }

  private ModelInstance load(String name, byte[] model, int maxBatchSize) throws Exception {
    InstanceSpec written = TestModels.write(root, name, model);
    return backend.load(new InstanceSpec(name, 1, written.versionDirectory(), Optional.empty(),
        maxBatchSize, Map.of(), written.deviceKind(), 0));
  }
}
