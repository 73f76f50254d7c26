package dev.gantry.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.spi.ComputePhases;
import dev.gantry.spi.InstanceSpec;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.ModelLoadException;
import dev.gantry.spi.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.ThreadPoolOptionProto;

class SessionParametersTest {
  @TempDir static Path root;

  private static InstanceSpec increment;

  private final TensorFlowBackend backend = new TensorFlowBackend();

  @BeforeAll
  static void writeModel() throws Exception {
    increment = TestRepository.write(root, "increment", dir -> SavedModels.increment(dir, "serve"));
  }

  @Test
  void eachSessionGetsOneThreadOfEachKindAndSoftPlacementByDefault() throws Exception {
    ConfigProto config = SessionParameters.config(Map.of()).build();

    assertEquals(1, config.getIntraOpParallelismThreads());
    assertEquals(1, config.getInterOpParallelismThreads());
    assertEquals(
        List.of(ThreadPoolOptionProto.newBuilder().setNumThreads(1).build()),
        config.getSessionInterOpThreadPoolList());
    assertTrue(config.getAllowSoftPlacement());
    assertFalse(config.getGpuOptions().getAllowGrowth());
    assertEquals(0, config.getGpuOptions().getPerProcessGpuMemoryFraction());
  }

  @Test
  void parametersSetThreadsAndGpuMemory() throws Exception {
    ConfigProto config =
        SessionParameters.config(
                Map.of(
                    "intra_op_thread_count", "0",
                    "inter_op_thread_count", "3",
                    "gpu_memory_growth", "true",
                    "gpu_memory_fraction", ".25"))
            .build();

    assertEquals(0, config.getIntraOpParallelismThreads());
    assertEquals(3, config.getInterOpParallelismThreads());
    assertEquals(3, config.getSessionInterOpThreadPool(0).getNumThreads());
    assertTrue(config.getGpuOptions().getAllowGrowth());
    assertEquals(0.25, config.getGpuOptions().getPerProcessGpuMemoryFraction());
  }

  @Test
  void selectionDefaultsToServeAndServingDefault() throws Exception {
    assertEquals(
        new SavedModelSelection(List.of("serve"), "serving_default"),
        SavedModelSelection.from(Map.of()));
    assertEquals(
        new SavedModelSelection(List.of("serve", "tpu"), "predict"),
        SavedModelSelection.from(
            Map.of("saved_model_tags", " serve , tpu", "signature_name", "predict")));
  }

  @Test
  void acceptedParametersLoadAModelThatComputes() throws Exception {
    InstanceSpec spec =
        TestRepository.withParameters(
            increment,
            Map.of(
                "intra_op_thread_count", "2",
                "inter_op_thread_count", "0",
                "gpu_memory_growth", "false",
                "gpu_memory_fraction", "1",
                "saved_model_tags", "serve",
                "signature_name", "serving_default",
                "unrelated_key", "left for others"));

    try (ModelInstance instance = backend.load(spec)) {
      Tensor y =
          instance
              .execute(
                  Map.of("x", TestTensors.fp32(new long[] {2}, 1, 2)),
                  Set.of("y"),
                  ComputePhases.IGNORED)
              .get("y");

      assertArrayEquals(new float[] {2, 3}, TestTensors.floats(y));
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = ';',
      quoteCharacter = '"',
      value = {
        "intra_op_thread_count;-1;parameter intra_op_thread_count must be a thread count of 0 or"
            + " more (0 for TensorFlow's default), got '-1'",
        "inter_op_thread_count;two;parameter inter_op_thread_count must be a thread count of 0 or"
            + " more (0 for TensorFlow's default), got 'two'",
        "gpu_memory_growth;yes;parameter gpu_memory_growth must be one of true|false, got 'yes'",
        "gpu_memory_fraction;0;parameter gpu_memory_fraction must be a fraction of GPU memory"
            + " greater than 0 and at most 1, got '0'",
        "gpu_memory_fraction;1.5;parameter gpu_memory_fraction must be a fraction of GPU memory"
            + " greater than 0 and at most 1, got '1.5'",
        "gpu_memory_fraction;NaN;parameter gpu_memory_fraction must be a fraction of GPU memory"
            + " greater than 0 and at most 1, got 'NaN'",
        "saved_model_tags;serve,;parameter saved_model_tags must be a comma-separated list of"
            + " tags such as 'serve' or 'serve,gpu', got 'serve,'",
        "signature_name;\" \";parameter signature_name must name a signature such as"
            + " 'serving_default', got ' '"
      })
  void badValuesNameTheKeyAndTheAcceptedValues(String key, String value, String message) {
    InstanceSpec spec = TestRepository.withParameters(increment, Map.of(key, value));

    ModelLoadException error = assertThrows(ModelLoadException.class, () -> backend.load(spec));

    assertEquals(message, error.getMessage());
  }
}
