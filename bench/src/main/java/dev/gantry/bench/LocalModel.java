package dev.gantry.bench;

import com.google.protobuf.TextFormat;
import dev.gantry.client.TensorDatatype;
import dev.gantry.proto.ModelConfig;
import dev.gantry.proto.ModelInstanceGroup;
import dev.gantry.spi.Backend;
import dev.gantry.spi.DeviceKind;
import dev.gantry.spi.InstanceSpec;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.ModelLoadException;
import dev.gantry.spi.ModelSignature;
import dev.gantry.spi.TensorSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * A model loaded straight through the backend SPI, without a server, for {@code --in-process}: the
 * same files and configuration the server would load, so that comparing the two shows what serving
 * adds.
 *
 * <p>Follows the server's rules where they matter for a benchmark: the backend is the one the
 * configuration names (by {@code backend}, then {@code platform}) or the first that recognises the
 * files; the version is the one asked for or the highest; one instance per {@code instance_group}
 * count (one by default); the configuration's {@code parameters} reach the backend. A model without
 * a configuration whose inputs and outputs all have a variable first dimension batches, without an
 * upper bound here.
 */
final class LocalModel implements AutoCloseable {
  private static final String CONFIG_FILE = "config.pbtxt";

  private final ModelInfo info;
  private final List<ModelInstance> instances;

  private LocalModel(ModelInfo info, List<ModelInstance> instances) {
    this.info = info;
    this.instances = List.copyOf(instances);
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
    Optional<ModelConfig> declared = readConfig(modelDirectory);
    ModelConfig config = declared.orElse(ModelConfig.getDefaultInstance());
    long chosen = version.isEmpty() ? highestVersion(modelDirectory) : parseVersion(version);
    Path versionDirectory = modelDirectory.resolve(Long.toString(chosen));
    if (!Files.isDirectory(versionDirectory)) {
      throw new ModelLoadException("model '" + name + "' has no version directory " + chosen);
    }
    Backend backend = backend(config, versionDirectory);
    List<ModelInstance> instances = new ArrayList<>();
    try {
      for (InstanceSpec spec : specs(name, chosen, versionDirectory, config)) {
        instances.add(backend.load(spec));
      }
    } catch (ModelLoadException | RuntimeException e) {
      instances.forEach(ModelInstance::close);
      throw e;
    }
    ModelSignature signature = instances.get(0).signature();
    int maxBatchSize = maxBatchSize(config, declared.isPresent(), signature);
    List<InputSpec> inputs = new ArrayList<>();
    for (TensorSpec input : signature.inputs()) {
      inputs.add(new InputSpec(
          input.name(), TensorDatatype.fromWireName(input.dataType().name()), input.shape()));
    }
    List<String> outputs = signature.outputs().stream().map(TensorSpec::name).toList();
    return new LocalModel(
        new ModelInfo(name, Long.toString(chosen), maxBatchSize, inputs, outputs), instances);
  }

  ModelInfo info() {
    return info;
  }

  List<ModelInstance> instances() {
    return instances;
  }

  @Override
  public void close() {
    instances.forEach(ModelInstance::close);
  }

  private static Optional<ModelConfig> readConfig(Path modelDirectory) throws ModelLoadException {
    Path file = modelDirectory.resolve(CONFIG_FILE);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      ModelConfig.Builder config = ModelConfig.newBuilder();
      TextFormat.merge(Files.readString(file, StandardCharsets.UTF_8), config);
      return Optional.of(config.build());
    } catch (IOException e) {
      throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
    }
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

  private static Backend backend(ModelConfig config, Path versionDirectory)
      throws ModelLoadException {
    List<Backend> backends = ServiceLoader.load(Backend.class).stream()
        .map(ServiceLoader.Provider::get)
        .toList();
    Optional<Backend> chosen;
    if (!config.getBackend().isEmpty()) {
      chosen = backends.stream().filter(b -> b.name().equals(config.getBackend())).findFirst();
    } else if (!config.getPlatform().isEmpty()) {
      chosen = backends.stream().filter(b -> b.platform().equals(config.getPlatform())).findFirst();
    } else {
      chosen = backends.stream().filter(b -> b.recognizes(versionDirectory)).findFirst();
    }
    return chosen.orElseThrow(() -> new ModelLoadException(
        "no backend on the class path serves " + versionDirectory + " (backends: "
            + backends.stream().map(Backend::name).toList() + ")"));
  }

  private static List<InstanceSpec> specs(
      String name, long version, Path versionDirectory, ModelConfig config) {
    Map<String, String> parameters = new HashMap<>();
    config.getParametersMap().forEach((key, value) -> parameters.put(key, value.getStringValue()));
    Optional<String> file = config.getDefaultModelFilename().isEmpty()
        ? Optional.empty()
        : Optional.of(config.getDefaultModelFilename());
    List<ModelInstanceGroup> groups = config.getInstanceGroupList().isEmpty()
        ? List.of(ModelInstanceGroup.getDefaultInstance())
        : config.getInstanceGroupList();
    List<InstanceSpec> specs = new ArrayList<>();
    for (ModelInstanceGroup group : groups) {
      DeviceKind kind = switch (group.getKind()) {
        case KIND_CPU -> DeviceKind.CPU;
        case KIND_GPU -> DeviceKind.GPU;
        default -> DeviceKind.AUTO;
      };
      int device = group.getGpusCount() > 0 ? group.getGpus(0) : 0;
      for (int i = 0; i < Math.max(1, group.getCount()); i++) {
        specs.add(new InstanceSpec(name, version, versionDirectory, file,
            config.getMaxBatchSize(), parameters, kind, device));
      }
    }
    return specs;
  }

  private static int maxBatchSize(ModelConfig config, boolean declared, ModelSignature signature) {
    if (config.getMaxBatchSize() > 0) {
      return config.getMaxBatchSize();
    }
    boolean automatic = !declared
        || (config.getInputCount() == 0 && config.getOutputCount() == 0);
    boolean batchable = Stream.concat(signature.inputs().stream(), signature.outputs().stream())
        .allMatch(spec -> spec.rank() > 0 && spec.shape()[0] < 0);
    return automatic && batchable ? Integer.MAX_VALUE : 0;
  }
}
