package dev.gantry.bench;

import dev.gantry.client.TensorDatatype;
import dev.gantry.proto.ModelConfig;
import dev.gantry.server.config.HostPolicies;
import dev.gantry.server.config.ModelConfigs;
import dev.gantry.server.model.Backends;
import dev.gantry.server.model.ModelLoader;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.ModelLoadException;
import dev.gantry.spi.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A model loaded without a server, for {@code --in-process}: the same files and configuration the
 * server would load, loaded by the server's own {@link ModelLoader#loadInstances} (backend choice,
 * instance placement, configuration completion, warmup), so that comparing the two shows what
 * serving adds and the two can never load a model differently.
 *
 * <p>The version is the one asked for or the highest; instances are not bound to cores (no host
 * policies).
 */
final class LocalModel implements AutoCloseable {
  private final ModelInfo info;
  private final ModelLoader.Instances loaded;

  private LocalModel(ModelInfo info, ModelLoader.Instances loaded) {
    this.info = info;
    this.loaded = loaded;
  }

  /**
   * Loads a model of a repository.
   *
   * @param version the version directory to load; empty for the highest
   * @throws ModelLoadException with the reason, when the model cannot be loaded
   */
  static LocalModel load(Path repository, String name, String version) throws ModelLoadException {
    Path modelDirectory = repository.resolve(name);
    if (!Files.isDirectory(modelDirectory)) {
      throw new ModelLoadException("the repository " + repository + " has no model '" + name + "'");
    }
    ModelConfig declared = ModelConfigs.read(modelDirectory).orElse(ModelConfig.getDefaultInstance());
    long chosen = version.isEmpty() ? highestVersion(modelDirectory) : parseVersion(version);
    if (!Files.isDirectory(modelDirectory.resolve(Long.toString(chosen)))) {
      throw new ModelLoadException("model '" + name + "' has no version directory " + chosen);
    }
    ModelLoader.Instances loaded = ModelLoader.loadInstances(
        Backends.discover(), HostPolicies.none(), name, chosen, modelDirectory, declared);
    List<InputSpec> inputs = new ArrayList<>();
    for (TensorSpec input : loaded.signature().inputs()) {
      inputs.add(new InputSpec(
          input.name(), TensorDatatype.fromWireName(input.dataType().name()), input.shape()));
    }
    List<String> outputs = loaded.signature().outputs().stream().map(TensorSpec::name).toList();
    return new LocalModel(new ModelInfo(name, Long.toString(chosen),
        loaded.config().getMaxBatchSize(), inputs, outputs), loaded);
  }

  ModelInfo info() {
    return info;
  }

  List<ModelInstance> instances() {
    return loaded.instances();
  }

  @Override
  public void close() {
    loaded.close();
  }

  private static long highestVersion(Path modelDirectory) throws ModelLoadException {
    try (Stream<Path> entries = Files.list(modelDirectory)) {
      return entries
          .filter(Files::isDirectory)
          .map(path -> path.getFileName().toString())
          .filter(entry -> entry.matches("[0-9]{1,18}"))
          .mapToLong(Long::parseLong)
          .max()
          .orElseThrow(() -> new ModelLoadException(
              "model directory " + modelDirectory + " has no numbered version directory"));
    } catch (IOException e) {
      throw new ModelLoadException("cannot list " + modelDirectory + ": " + e.getMessage(), e);
    }
  }

  private static long parseVersion(String version) throws ModelLoadException {
    if (!version.matches("[0-9]{1,18}")) {
      throw new ModelLoadException("-x must be a version number in-process, got '" + version + "'");
    }
    return Long.parseLong(version);
  }
}
