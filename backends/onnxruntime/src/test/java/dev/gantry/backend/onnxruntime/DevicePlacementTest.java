package dev.gantry.backend.onnxruntime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import dev.gantry.modelgen.OnnxModels;
import dev.gantry.spi.ComputePhases;
import dev.gantry.spi.DeviceKind;
import dev.gantry.spi.InstanceSpec;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.ModelLoadException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs on the CPU-only ONNX Runtime artifact, which the build uses by default: GPU instances must
 * fail with the precise reason and AUTO instances must fall back to the CPU.
 */
class DevicePlacementTest {
  @TempDir Path root;

  private InstanceSpec cpu;

  @BeforeEach
  void writeModel() throws Exception {
    cpu = TestModels.write(root, "scalar", OnnxModels.scalarIncrement());
  }

  @Test
  void theDefaultBuildHasNoCuda() {
    assertFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA));
  }

  @Test
  void cpuRunsOnTheCpu() throws Exception {
    try (ModelInstance instance = new OnnxRuntimeBackend().load(cpu)) {
      assertEquals("CPU", instance.device());
      assertRuns(instance);
    }
  }

  @Test
  void gpuFailsBecauseThisBuildIsCpuOnly() {
    InstanceSpec gpu = TestModels.on(cpu, DeviceKind.GPU);

    ModelLoadException error =
        assertThrows(ModelLoadException.class, () -> new OnnxRuntimeBackend().load(gpu));

    assertEquals(
        "CUDA execution provider unavailable: this build of Gantry has the CPU-only ONNX Runtime;"
            + " build it with the -Pgpu profile to run models on GPUs",
        error.getMessage());
  }

  @Test
  void autoFallsBackToTheCpu() throws Exception {
    try (ModelInstance instance =
        new OnnxRuntimeBackend().load(TestModels.on(cpu, DeviceKind.AUTO))) {
      assertEquals("CPU", instance.device());
      assertRuns(instance);
    }
  }

  @Test
  void gpuFailsWithOnnxRuntimesReasonWhenCudaCannotBeAdded() {
    OnnxRuntimeBackend claimsCuda = new OnnxRuntimeBackend(DevicePlacementTest::cpuAndCuda);
    InstanceSpec gpu = TestModels.on(cpu, DeviceKind.GPU);

    ModelLoadException error = assertThrows(ModelLoadException.class, () -> claimsCuda.load(gpu));

    assertTrue(
        error.getMessage().startsWith("CUDA execution provider unavailable: "), error::getMessage);
    assertTrue(error.getMessage().contains("CUDA"), error::getMessage);
    assertFalse(error.getMessage().contains("-Pgpu"), error::getMessage);
  }

  @Test
  void autoFallsBackToTheCpuWhenCudaCannotBeAdded() throws Exception {
    OnnxRuntimeBackend claimsCuda = new OnnxRuntimeBackend(DevicePlacementTest::cpuAndCuda);

    try (ModelInstance instance = claimsCuda.load(TestModels.on(cpu, DeviceKind.AUTO))) {
      assertEquals("CPU", instance.device());
      assertRuns(instance);
    }
  }

  private static Set<OrtProvider> cpuAndCuda() {
    return EnumSet.of(OrtProvider.CPU, OrtProvider.CUDA);
  }

  private static void assertRuns(ModelInstance instance) throws Exception {
    var outputs =
        instance.execute(
            Map.of("x", TestTensors.int64(new long[0], 41)), Set.of("y"), ComputePhases.IGNORED);
    assertArrayEquals(new long[] {42}, TestTensors.longs(outputs.get("y")));
  }
}
