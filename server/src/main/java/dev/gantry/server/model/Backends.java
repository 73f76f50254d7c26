package dev.gantry.server.model;

import dev.gantry.proto.ModelConfig;
import dev.gantry.spi.Backend;
import dev.gantry.spi.ModelLoadException;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * The backends on the class path, found once with {@link ServiceLoader}, and the rule that picks
 * one for a model: the configuration's {@code backend}, else its {@code platform}, else the first
 * backend that recognises the files of the version directory.
 */
public final class Backends {
  private final List<Backend> backends;

  public Backends(List<Backend> backends) {
    this.backends = List.copyOf(backends);
  }

  /** Every backend registered through {@code META-INF/services/dev.gantry.spi.Backend}. */
  public static Backends discover() {
    return new Backends(
        ServiceLoader.load(Backend.class).stream().map(ServiceLoader.Provider::get).toList());
  }

  /**
   * @throws ModelLoadException naming what was asked for and what is available
   */
  public Backend select(ModelConfig config, Path versionDirectory) throws ModelLoadException {
    if (!config.getBackend().isEmpty()) {
      return backends.stream()
          .filter(b -> b.name().equals(config.getBackend()))
          .findFirst()
          .orElseThrow(() -> new ModelLoadException(
              "no backend named '" + config.getBackend() + "'; available: " + describe()));
    }
    if (!config.getPlatform().isEmpty()) {
      return backends.stream()
          .filter(b -> b.platform().equals(config.getPlatform()))
          .findFirst()
          .orElseThrow(() -> new ModelLoadException(
              "no backend serves platform '" + config.getPlatform() + "'; available: "
                  + describe()));
    }
    return backends.stream()
        .filter(b -> b.recognizes(versionDirectory))
        .findFirst()
        .orElseThrow(() -> new ModelLoadException(
            "no backend recognises the files of version " + versionDirectory.getFileName()
                + "; name a platform in config.pbtxt (available: " + describe() + ")"));
  }

  private String describe() {
    return backends.stream()
        .map(b -> b.name() + " (" + b.platform() + ")")
        .collect(Collectors.joining(", "));
  }
}
