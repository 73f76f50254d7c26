package dev.gantry.backend.onnxruntime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.modelgen.OnnxModels;
import dev.gantry.spi.Backend;
import dev.gantry.spi.DataType;
import dev.gantry.spi.DeviceKind;
import dev.gantry.spi.InstanceSpec;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.ModelLoadException;
import dev.gantry.spi.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxRuntimeBackendTest {
  @TempDir Path root;

  private final OnnxRuntimeBackend backend = new OnnxRuntimeBackend();

  @Test
  void isFoundByTheServiceLoader() {
    List<Backend> backends =
        ServiceLoader.load(Backend.class).stream().map(ServiceLoader.Provider::get).toList();

    Backend found =
        backends.stream().filter(b -> b.name().equals("onnxruntime")).findFirst().orElseThrow();
    assertInstanceOf(OnnxRuntimeBackend.class, found);
    assertEquals("onnxruntime_onnx", found.platform());
  }

  @Test
  void recognizesVersionDirectoriesHoldingModelOnnx() throws Exception {
    InstanceSpec spec = TestModels.write(root, "m", OnnxModels.mixed());
    Path empty = Files.createDirectories(root.resolve("other/1"));
    Files.createDirectories(root.resolve("dir/1/model.onnx"));

    assertTrue(backend.recognizes(spec.versionDirectory()));
    assertFalse(backend.recognizes(empty));
    assertFalse(backend.recognizes(root.resolve("dir/1")));
  }

  @Test
  void loadsTheConfiguredModelFilename() throws Exception {
    Path version = Files.createDirectories(root.resolve("named/1"));
    Files.write(version.resolve("custom.onnx"), OnnxModels.scalarIncrement());
    InstanceSpec spec =
        new InstanceSpec(
            "named", 1, version, Optional.of("custom.onnx"), 0, Map.of(), DeviceKind.CPU, 0);

    try (ModelInstance instance = backend.load(spec)) {
      assertEquals(
          List.of(new TensorSpec("x", DataType.INT64, new long[0])), instance.signature().inputs());
    }
  }

  @Test
  void missingFileNamesTheFile() {
    Path version = root.resolve("absent/1");
    InstanceSpec spec = TestModels.spec(version, "absent", Map.of(), DeviceKind.CPU);

    ModelLoadException error = assertThrows(ModelLoadException.class, () -> backend.load(spec));

    assertEquals(
        "ONNX model file " + version.resolve("model.onnx") + " does not exist", error.getMessage());
  }

  @Test
  void directoryInPlaceOfTheFileIsRefused() throws Exception {
    Path version = Files.createDirectories(root.resolve("dir/1/model.onnx")).getParent();
    InstanceSpec spec = TestModels.spec(version, "dir", Map.of(), DeviceKind.CPU);

    ModelLoadException error = assertThrows(ModelLoadException.class, () -> backend.load(spec));

    assertEquals(
        "ONNX model file " + version.resolve("model.onnx") + " is not a file", error.getMessage());
  }

  @Test
  void corruptModelNamesTheFileAndOnnxRuntimesReason() throws Exception {
    InstanceSpec spec = TestModels.write(root, "corrupt", new byte[] {1, 2, 3, 4});
    Path file = spec.versionDirectory().resolve("model.onnx");

    ModelLoadException error = assertThrows(ModelLoadException.class, () -> backend.load(spec));

    assertTrue(
        error.getMessage().startsWith("cannot load ONNX model " + file + ": "), error::getMessage);
    assertTrue(error.getMessage().contains("Protobuf parsing failed"), error::getMessage);
  }

  @Test
  void nonTensorOutputIsRefusedNamingIt() throws Exception {
    InstanceSpec spec = TestModels.write(root, "seq", OnnxModels.sequenceOutput());

    ModelLoadException error = assertThrows(ModelLoadException.class, () -> backend.load(spec));

    assertEquals(
        "cannot serve "
            + spec.versionDirectory().resolve("model.onnx")
            + ": output 'seq' is a sequence; only tensors are supported",
        error.getMessage());
  }

  @Test
  void unsignedInputsOnnxRuntimeJavaCannotCreateAreRefusedNamingThem() throws Exception {
    for (DataType type : List.of(DataType.UINT16, DataType.UINT32, DataType.UINT64)) {
      InstanceSpec spec =
          TestModels.write(root, "u" + type, OnnxModels.identity("in", "out", type, -1));

      ModelLoadException error = assertThrows(ModelLoadException.class, () -> backend.load(spec));

      assertEquals(
          "cannot serve "
              + spec.versionDirectory().resolve("model.onnx")
              + ": input 'in' is "
              + type
              + ", which ONNX Runtime's Java API cannot take as an input",
          error.getMessage());
    }
  }
}
