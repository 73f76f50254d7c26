package dev.gantry.backend.tensorflow;

import dev.gantry.spi.DeviceKind;
import dev.gantry.spi.InstanceSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Writes SavedModels into a temporary Triton-layout repository and describes instances of them. */
final class TestRepository {
  /** Writes one SavedModel into the directory it is given. */
  interface ModelWriter {
    void write(Path savedModelDirectory) throws IOException;
  }

  private TestRepository() {}

  /** Writes {@code <root>/<name>/1/model.savedmodel} and returns a CPU instance of it. */
  static InstanceSpec write(Path root, String name, ModelWriter writer) throws IOException {
    Path version = Files.createDirectories(root.resolve(name).resolve("1"));
    writer.write(version.resolve(TensorFlowBackend.DEFAULT_MODEL_FILENAME));
    return spec(version, name, Map.of(), DeviceKind.CPU);
  }

  static InstanceSpec spec(
      Path versionDirectory, String name, Map<String, String> parameters, DeviceKind kind) {
    return new InstanceSpec(name, 1, versionDirectory, Optional.empty(), 0, parameters, kind, 0);
  }

  static InstanceSpec withParameters(InstanceSpec spec, Map<String, String> parameters) {
    return spec(spec.versionDirectory(), spec.modelName(), parameters, spec.deviceKind());
  }

  static InstanceSpec on(InstanceSpec spec, DeviceKind kind) {
    return spec(spec.versionDirectory(), spec.modelName(), spec.parameters(), kind);
  }
}
