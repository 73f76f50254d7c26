package dev.gantry.server.model;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;
import java.util.function.LongPredicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model's {@value #NAME}, beside its {@code config.pbtxt}: names for versions, one {@code
 * label=version} a line, that requests may use instead of a version number.
 */
public final class LabelsFile {
  private static final Logger log = LoggerFactory.getLogger(LabelsFile.class);
  private static final Pattern LABEL = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");

  /** The file's name in the model directory. */
  public static final String NAME = "labels.properties";

  private LabelsFile() {}

  /**
   * The model's labels as its file now says: each label moves to the version the file names if
   * that version is ready; otherwise it stays where it was, or is absent. A bad line is logged
   * and skipped; a file that cannot be read leaves the labels as they were; no file, no labels.
   *
   * @param current the labels before, by label
   * @param isReady whether a version of the model is READY
   */
  public static Map<String, Long> read(String model, Path directory, Map<String, Long> current,
      LongPredicate isReady) {
    Path file = directory.resolve(NAME);
    if (!Files.isRegularFile(file)) {
      return Map.of();
    }
    Properties wanted = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      wanted.load(reader);
    } catch (IOException | IllegalArgumentException e) {
      log.error("model '{}': cannot read {}: {}", model, NAME, e.getMessage());
      return current;
    }
    Map<String, Long> labels = new LinkedHashMap<>();
    for (String label : new TreeSet<>(wanted.stringPropertyNames())) {
      Optional<Long> version = RepositoryScanner.parseVersion(wanted.getProperty(label).trim());
      Long previous = current.get(label);
      if (!LABEL.matcher(label).matches() || version.isEmpty()) {
        log.error("model '{}': {} line '{}={}' needs a label starting with a letter and a "
            + "version number", model, NAME, label, wanted.getProperty(label));
      } else if (isReady.test(version.get())) {
        labels.put(label, version.get());
      } else if (previous != null && isReady.test(previous)) {
        labels.put(label, previous);
        log.warn("model '{}': label '{}' stays on version {} because version {} is not ready",
            model, label, previous, version.get());
      } else {
        log.warn("model '{}': label '{}' names version {}, which is not ready", model, label,
            version.get());
      }
    }
    return Map.copyOf(labels);
  }
}
