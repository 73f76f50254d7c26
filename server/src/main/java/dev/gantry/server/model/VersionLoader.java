package dev.gantry.server.model;

import dev.gantry.proto.ModelConfig;
import dev.gantry.spi.ModelLoadException;
import java.nio.file.Path;

/**
 * Makes one model version ready to serve. {@link ModelLoader} is the server's; the seam lets the
 * {@link ModelRepository}'s state machine be tested without backends.
 */
@FunctionalInterface
public interface VersionLoader {
  /**
   * @param modelDirectory the model's directory, holding {@code <version>/}
   * @param declared the model's configuration as written (the default instance when it has none)
   * @throws ModelLoadException with the reason, after releasing whatever was created
   */
  LoadedVersion load(String name, long version, Path modelDirectory, ModelConfig declared)
      throws ModelLoadException;
}
