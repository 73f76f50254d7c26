package dev.gantry.backend.onnxruntime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.onnxruntime.OrtSession.SessionOptions;
import dev.gantry.modelgen.OnnxModels;
import dev.gantry.spi.ComputePhases;
import dev.gantry.spi.DataType;
import dev.gantry.spi.InstanceSpec;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.ModelLoadException;
import dev.gantry.spi.Tensor;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SessionParametersTest {
  @TempDir Path root;

  private final OnnxRuntimeBackend backend = new OnnxRuntimeBackend();

  @Test
  void idleThreadsDoNotSpinByDefault() throws Exception {
    try (SessionOptions options = new SessionOptions()) {
      SessionParameters.apply(Map.of(), options);

      assertEquals(
          Map.of("session.intra_op.allow_spinning", "0", "session.inter_op.allow_spinning", "0"),
          options.getConfigEntries());
    }
  }

  @Test
  void allowSpinningTurnsSpinningOn() throws Exception {
    try (SessionOptions options = new SessionOptions()) {
      SessionParameters.apply(Map.of("allow_spinning", "1"), options);

      assertEquals("1", options.getConfigEntries().get("session.intra_op.allow_spinning"));
      assertEquals("1", options.getConfigEntries().get("session.inter_op.allow_spinning"));
    }
  }

  @Test
  void acceptedParametersLoadAModelThatComputes() throws Exception {
    InstanceSpec spec =
        TestModels.withParameters(
            TestModels.write(root, "tuned", OnnxModels.addSub(DataType.FP32, -1, 2)),
            Map.of(
                "intra_op_thread_count", "2",
                "inter_op_thread_count", "0",
                "graph_optimization_level", "disable",
                "execution_mode", "parallel",
                "allow_spinning", "1",
                "unrelated_key", "left for others"));
    assertComputes(spec);
  }

  @Test
  void memoryParametersLoadModelsThatCompute() throws Exception {
    InstanceSpec model = TestModels.write(root, "memory", OnnxModels.addSub(DataType.FP32, -1, 2));
    assertComputes(TestModels.withParameters(model,
        Map.of("enable_mem_arena", "0", "enable_mem_pattern", "0")));
    assertComputes(TestModels.withParameters(model,
        Map.of("enable_mem_arena", "1", "memory.enable_memory_arena_shrinkage", "cpu:0")));
  }

  private void assertComputes(InstanceSpec spec) throws Exception {
    long[] shape = {1, 2};

    try (ModelInstance instance = backend.load(spec)) {
      Map<String, Tensor> outputs =
          instance.execute(
              Map.of(
                  "INPUT0", TestTensors.fp32(shape, 1, 2),
                  "INPUT1", TestTensors.fp32(shape, 10, 20)),
              Set.of("OUTPUT0"),
              ComputePhases.IGNORED);

      assertArrayEquals(new float[] {11, 22}, TestTensors.floats(outputs.get("OUTPUT0")));
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = ';',
      quoteCharacter = '"',
      value = {
        "intra_op_thread_count;-1;parameter intra_op_thread_count must be a thread count of 0 or"
            + " more (0 for ONNX Runtime's default), got '-1'",
        "inter_op_thread_count;two;parameter inter_op_thread_count must be a thread count of 0 or"
            + " more (0 for ONNX Runtime's default), got 'two'",
        "graph_optimization_level;max;parameter graph_optimization_level must be one of"
            + " disable|basic|extended|all, got 'max'",
        "execution_mode;1;parameter execution_mode must be one of sequential|parallel, got '1'",
        "allow_spinning;true;parameter allow_spinning must be one of 0|1, got 'true'",
        "enable_mem_arena;yes;parameter enable_mem_arena must be one of 0|1, got 'yes'",
        "enable_mem_pattern;2;parameter enable_mem_pattern must be one of 0|1, got '2'",
        "memory.enable_memory_arena_shrinkage;all;\"parameter"
            + " memory.enable_memory_arena_shrinkage must be a list of devices such as cpu:0 or"
            + " cpu:0;gpu:0, got 'all'\""
      })
  void badValuesNameTheKeyAndTheAcceptedValues(String key, String value, String message)
      throws Exception {
    InstanceSpec spec =
        TestModels.withParameters(
            TestModels.write(root, "bad", OnnxModels.scalarIncrement()), Map.of(key, value));

    ModelLoadException error = assertThrows(ModelLoadException.class, () -> backend.load(spec));

    assertEquals(message, error.getMessage());
  }
}
