package dev.gantry.spi;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a backend needs to create one instance of one model version.
 *
 * @param modelName the model's name in the repository
 * @param version the version number, its directory name
 * @param versionDirectory the directory holding the version's files
 * @param modelFilename the file or directory inside {@code versionDirectory} to load, when the
 *     configuration names one ({@code default_model_filename}); empty for the backend's default
 * @param maxBatchSize the configured largest batch, 0 when the model does not batch
 * @param parameters the configuration's {@code parameters}, such as thread counts
 * @param deviceKind where the instance should run
 * @param deviceId the GPU index for {@link DeviceKind#GPU} (and the preferred one for AUTO)
 */
public record InstanceSpec(
    String modelName,
    long version,
    Path versionDirectory,
    Optional<String> modelFilename,
    int maxBatchSize,
    Map<String, String> parameters,
    DeviceKind deviceKind,
    int deviceId) {
  public InstanceSpec {
    parameters = Map.copyOf(parameters);
  }

  /** The model file or directory to load: the configured name, or the backend's default. */
  public Path modelPath(String defaultFilename) {
    return versionDirectory.resolve(modelFilename.orElse(defaultFilename));
  }
}
