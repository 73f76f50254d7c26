package dev.gantry.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.gantry.modelgen.OnnxModels;
import dev.gantry.spi.Backend;
import dev.gantry.spi.ComputePhases;
import dev.gantry.spi.DeviceKind;
import dev.gantry.spi.InstanceSpec;
import dev.gantry.spi.ModelInstance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX Runtime and TensorFlow each load their native libraries into the same JVM and serve. */
class CoexistenceTest {
  @TempDir Path root;

  @Test
  void onnxRuntimeAndTensorFlowServeSideBySide() throws Exception {
    Path onnxVersion = Files.createDirectories(root.resolve("onnx/1"));
    Files.write(onnxVersion.resolve("model.onnx"), OnnxModels.scalarIncrement());
    InstanceSpec onnx = TestRepository.spec(onnxVersion, "onnx", Map.of(), DeviceKind.CPU);
    InstanceSpec tensorflow =
        TestRepository.write(root, "tf", dir -> SavedModels.increment(dir, "serve"));

    try (ModelInstance onnxInstance = backend("onnxruntime").load(onnx);
        ModelInstance tensorflowInstance = backend("tensorflow").load(tensorflow)) {
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(
            new long[] {i + 1},
            TestTensors.longs(
                onnxInstance
                    .execute(
                        Map.of("x", TestTensors.int64(new long[0], i)),
                        Set.of("y"),
                        ComputePhases.IGNORED)
                    .get("y")));
        assertArrayEquals(
            new float[] {i + 1},
            TestTensors.floats(
                tensorflowInstance
                    .execute(
                        Map.of("x", TestTensors.fp32(new long[] {1}, i)),
                        Set.of("y"),
                        ComputePhases.IGNORED)
                    .get("y")));
      }
    }
  }

  private static Backend backend(String name) {
    return ServiceLoader.load(Backend.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(backend -> backend.name().equals(name))
        .findFirst()
        .orElseThrow();
  }
}
