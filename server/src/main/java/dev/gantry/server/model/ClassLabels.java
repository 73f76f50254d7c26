package dev.gantry.server.model;

import dev.gantry.proto.ModelConfig;
import dev.gantry.proto.ModelOutput;
import dev.gantry.spi.ModelLoadException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The class labels of a model's outputs, read once at load from the files the configuration names
 * in an output's {@code label_filename}: one label per line, line {@code i} naming class index
 * {@code i}. The classification extension appends them to the top-k it returns.
 */
public final class ClassLabels {
  /** A model without label files. */
  public static final ClassLabels NONE = new ClassLabels(Map.of());

  private final Map<String, List<String>> byOutput;

  private ClassLabels(Map<String, List<String>> byOutput) {
    this.byOutput = Map.copyOf(byOutput);
  }

  /**
   * Reads the label file of every output that names one.
   *
   * @param modelDirectory the model's directory, where the label files sit
   * @throws ModelLoadException when a file is missing, unreadable or outside the model's directory
   */
  static ClassLabels read(ModelConfig config, Path modelDirectory) throws ModelLoadException {
    Map<String, List<String>> byOutput = new HashMap<>();
    Path directory = modelDirectory.toAbsolutePath().normalize();
    for (ModelOutput output : config.getOutputList()) {
      String name = output.getLabelFilename();
      if (name.isEmpty()) {
        continue;
      }
      Path file = directory.resolve(name).normalize();
      if (!file.startsWith(directory) || file.equals(directory)) {
        throw new ModelLoadException("output '" + output.getName() + "': label_filename '" + name
            + "' must name a file inside the model directory " + directory);
      }
      try {
        byOutput.put(output.getName(),
            List.copyOf(Files.readAllLines(file, StandardCharsets.UTF_8)));
      } catch (IOException e) {
        throw new ModelLoadException("output '" + output.getName() + "': cannot read "
            + "label_filename '" + name + "' (" + file + "): " + e.getMessage());
      }
    }
    return byOutput.isEmpty() ? NONE : new ClassLabels(byOutput);
  }

  /** The labels of one output, index by index; empty when it has no label file. */
  public Optional<List<String>> of(String output) {
    return Optional.ofNullable(byOutput.get(output));
  }
}
