package dev.gantry.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.spi.Backend;
import dev.gantry.spi.ComputePhases;
import dev.gantry.spi.DeviceKind;
import dev.gantry.spi.InferenceException;
import dev.gantry.spi.InstanceSpec;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.ModelLoadException;
import dev.gantry.spi.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorFlowBackendTest {
  @TempDir static Path root;

  private static InstanceSpec increment;
  private static InstanceSpec servingGpuTags;

  private final TensorFlowBackend backend = new TensorFlowBackend();

  @BeforeAll
  static void writeModels() throws Exception {
    increment = TestRepository.write(root, "increment", dir -> SavedModels.increment(dir, "serve"));
    servingGpuTags =
        TestRepository.write(root, "tagged", dir -> SavedModels.increment(dir, "serve", "gpu"));
  }

  @Test
  void isFoundByTheServiceLoader() {
    List<Backend> backends =
        ServiceLoader.load(Backend.class).stream().map(ServiceLoader.Provider::get).toList();

    Backend found =
        backends.stream().filter(b -> b.name().equals("tensorflow")).findFirst().orElseThrow();
    assertInstanceOf(TensorFlowBackend.class, found);
    assertEquals("tensorflow_savedmodel", found.platform());
  }

  @Test
  void recognizesVersionDirectoriesHoldingASavedModel() throws Exception {
    Path empty = Files.createDirectories(root.resolve("empty/1"));
    Path noProtobuf = Files.createDirectories(root.resolve("nopb/1/model.savedmodel")).getParent();
    Path fileInstead = Files.createDirectories(root.resolve("file/1"));
    Files.write(fileInstead.resolve("model.savedmodel"), new byte[] {1});

    assertTrue(backend.recognizes(increment.versionDirectory()));
    assertFalse(backend.recognizes(empty));
    assertFalse(backend.recognizes(noProtobuf));
    assertFalse(backend.recognizes(fileInstead));
  }

  @Test
  void loadsTheConfiguredModelFilename() throws Exception {
    Path version = Files.createDirectories(root.resolve("named/1"));
    SavedModels.increment(version.resolve("custom.savedmodel"), "serve");
    InstanceSpec spec =
        new InstanceSpec(
            "named", 1, version, Optional.of("custom.savedmodel"), 0, Map.of(), DeviceKind.CPU, 0);

    try (ModelInstance instance = backend.load(spec)) {
      assertRuns(instance);
    }
  }

  @Test
  void missingDirectoryNamesIt() {
    Path version = root.resolve("absent/1");
    InstanceSpec spec = TestRepository.spec(version, "absent", Map.of(), DeviceKind.CPU);

    ModelLoadException error = assertThrows(ModelLoadException.class, () -> backend.load(spec));

    assertEquals(
        "TensorFlow SavedModel directory "
            + version.resolve("model.savedmodel")
            + " does not exist",
        error.getMessage());
  }

  @Test
  void fileInPlaceOfTheDirectoryIsRefused() throws Exception {
    Path version = Files.createDirectories(root.resolve("notdir/1"));
    Files.write(version.resolve("model.savedmodel"), new byte[] {1});
    InstanceSpec spec = TestRepository.spec(version, "notdir", Map.of(), DeviceKind.CPU);

    ModelLoadException error = assertThrows(ModelLoadException.class, () -> backend.load(spec));

    assertEquals(
        "TensorFlow SavedModel directory "
            + version.resolve("model.savedmodel")
            + " is not a directory",
        error.getMessage());
  }

  @Test
  void directoryWithoutSavedModelProtobufIsRefused() throws Exception {
    Path directory = Files.createDirectories(root.resolve("nosaved/1/model.savedmodel"));
    InstanceSpec spec =
        TestRepository.spec(directory.getParent(), "nosaved", Map.of(), DeviceKind.CPU);

    ModelLoadException error = assertThrows(ModelLoadException.class, () -> backend.load(spec));

    assertEquals(
        "TensorFlow SavedModel directory " + directory + " has no saved_model.pb",
        error.getMessage());
  }

  @Test
  void corruptModelNamesTheDirectoryAndTensorFlowsReason() throws Exception {
    Path directory = Files.createDirectories(root.resolve("corrupt/1/model.savedmodel"));
    Files.write(directory.resolve("saved_model.pb"), new byte[] {1, 2, 3, 4, 5});
    InstanceSpec spec =
        TestRepository.spec(directory.getParent(), "corrupt", Map.of(), DeviceKind.CPU);

    ModelLoadException error = assertThrows(ModelLoadException.class, () -> backend.load(spec));

    assertTrue(
        error.getMessage().startsWith("cannot load TensorFlow SavedModel " + directory + ": "),
        error::getMessage);
    assertTrue(error.getMessage().endsWith(": Read less bytes than requested"), error::getMessage);
  }

  @Test
  void theTagSetMustMatchTheMetaGraphs() throws Exception {
    InstanceSpec wrongTags =
        TestRepository.withParameters(increment, Map.of("saved_model_tags", "serve,gpu"));

    ModelLoadException error =
        assertThrows(ModelLoadException.class, () -> backend.load(wrongTags));

    assertTrue(
        error
            .getMessage()
            .startsWith(
                "cannot load TensorFlow SavedModel "
                    + increment.versionDirectory().resolve("model.savedmodel")
                    + ": "),
        error::getMessage);
    assertTrue(
        error
            .getMessage()
            .contains("Could not find meta graph def matching supplied tags: { gpu serve }"),
        error::getMessage);
  }

  @Test
  void tagsParameterSelectsTheMetaGraph() throws Exception {
    InstanceSpec spec =
        TestRepository.withParameters(servingGpuTags, Map.of("saved_model_tags", "gpu, serve"));

    try (ModelInstance instance = backend.load(spec)) {
      assertRuns(instance);
    }
    assertThrows(ModelLoadException.class, () -> backend.load(servingGpuTags));
  }

  @Test
  void loadCloseAndLoadAgain() throws Exception {
    for (int round = 0; round < 5; round++) {
      ModelInstance instance = backend.load(increment);
      assertRuns(instance);
      instance.close();
    }
  }

  @Test
  void aClosedInstanceRefusesToRun() throws Exception {
    ModelInstance instance = backend.load(increment);
    instance.close();
    instance.close();

    InferenceException error =
        assertThrows(
            InferenceException.class,
            () ->
                instance.execute(
                    Map.of("x", TestTensors.fp32(new long[] {1}, 1)),
                    Set.of("y"),
                    ComputePhases.IGNORED));

    assertEquals(
        "the TensorFlow session of "
            + increment.versionDirectory().resolve("model.savedmodel")
            + " is closed",
        error.getMessage());
  }

  private static void assertRuns(ModelInstance instance) throws Exception {
    Tensor y =
        instance
            .execute(
                Map.of("x", TestTensors.fp32(new long[] {3}, -1, 0, 41)),
                Set.of("y"),
                ComputePhases.IGNORED)
            .get("y");
    assertArrayEquals(new float[] {0, 1, 42}, TestTensors.floats(y));
  }
}
