package dev.gantry.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gantry.spi.ComputePhases;
import dev.gantry.spi.DeviceKind;
import dev.gantry.spi.InstanceSpec;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.ModelLoadException;
import dev.gantry.spi.Tensor;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.ConfigProto;

/**
 * Runs on the CPU-only TensorFlow native library, which the build uses by default: GPU instances
 * must fail with the precise reason and AUTO instances must fall back to the CPU.
 */
class DevicePlacementTest {
  @TempDir static Path root;

  private static InstanceSpec cpu;

  @BeforeAll
  static void writeModel() throws Exception {
    cpu = TestRepository.write(root, "increment", dir -> SavedModels.increment(dir, "serve"));
  }

  @Test
  void theDefaultBuildHasNoGpuSupport() {
    assertFalse(GpuDevices.builtWithCuda());
  }

  @Test
  void cpuRunsOnTheCpu() throws Exception {
    try (ModelInstance instance = new TensorFlowBackend().load(cpu)) {
      assertEquals("CPU", instance.device());
      assertRuns(instance);
    }
  }

  @Test
  void gpuFailsBecauseThisBuildIsCpuOnly() {
    InstanceSpec gpu = TestRepository.on(cpu, DeviceKind.GPU);

    ModelLoadException error =
        assertThrows(ModelLoadException.class, () -> new TensorFlowBackend().load(gpu));

    assertEquals(
        "GPU unavailable for TensorFlow: this build has the CPU-only TensorFlow native library;"
            + " build with the -Pgpu profile",
        error.getMessage());
  }

  @Test
  void autoFallsBackToTheCpu() throws Exception {
    try (ModelInstance instance =
        new TensorFlowBackend().load(TestRepository.on(cpu, DeviceKind.AUTO))) {
      assertEquals("CPU", instance.device());
      assertRuns(instance);
    }
  }

  @Test
  void gpuFailsWhenTensorFlowSeesNoGpu() {
    TensorFlowBackend claimsCuda = new TensorFlowBackend(() -> true);
    InstanceSpec gpu = TestRepository.on(cpu, DeviceKind.GPU);

    ModelLoadException error = assertThrows(ModelLoadException.class, () -> claimsCuda.load(gpu));

    assertEquals(
        "GPU unavailable for TensorFlow: no CUDA device visible (TensorFlow sees CPU:0)",
        error.getMessage());
  }

  @Test
  void autoFallsBackToTheCpuWhenTensorFlowSeesNoGpu() throws Exception {
    TensorFlowBackend claimsCuda = new TensorFlowBackend(() -> true);

    try (ModelInstance instance = claimsCuda.load(TestRepository.on(cpu, DeviceKind.AUTO))) {
      assertEquals("CPU", instance.device());
      assertRuns(instance);
    }
  }

  @Test
  void cpuSessionsGetNoGpuDevice() throws Exception {
    ConfigProto.Builder config = ConfigProto.newBuilder();

    String device =
        new DevicePlacement(() -> true).place(config, TestRepository.on(cpu, DeviceKind.AUTO));

    assertEquals("CPU", device);
    assertEquals(Map.of("GPU", 0), config.getDeviceCountMap());
    assertEquals("", config.getGpuOptions().getVisibleDeviceList());
  }

  private static void assertRuns(ModelInstance instance) throws Exception {
    Tensor y =
        instance
            .execute(
                Map.of("x", TestTensors.fp32(new long[] {1}, 41)),
                Set.of("y"),
                ComputePhases.IGNORED)
            .get("y");
    assertArrayEquals(new float[] {42}, TestTensors.floats(y));
  }
}
