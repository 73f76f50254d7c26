package dev.gantry.server.model;

import dev.gantry.server.error.InvalidArgumentException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the models in the repository directories and fingerprints their files, and checks that
 * names coming from callers cannot reach outside a repository.
 */
public final class RepositoryScanner {
  private static final Logger log = LoggerFactory.getLogger(RepositoryScanner.class);

  private final List<Path> roots;

  public RepositoryScanner(List<Path> roots) {
    this.roots = roots.stream().map(root -> root.toAbsolutePath().normalize()).toList();
  }

  /** Every model directory in the repositories, by name; the first repository wins a clash. */
  public Map<String, ModelSource> scan() {
    Map<String, ModelSource> found = new LinkedHashMap<>();
    for (Path root : roots) {
      try (Stream<Path> children = Files.list(root)) {
        for (Path child : children.sorted().toList()) {
          String name = child.getFileName().toString();
          if (name.startsWith(".") || !Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
            log.debug("ignoring {} in model repository {}: not a model directory", name, root);
          } else if (found.containsKey(name)) {
            log.warn("model '{}' appears in more than one repository; serving the first", name);
          } else {
            found.put(name, new ModelSource(name, child, fingerprint(child)));
          }
        }
      } catch (IOException | UncheckedIOException e) {
        log.error("cannot read model repository {}: {}", root, e.getMessage());
      }
    }
    return found;
  }

  /**
   * Checks a model name sent by a caller: one plain directory name, no path.
   *
   * @throws InvalidArgumentException naming the problem
   */
  public static void checkModelName(String name) {
    if (name.isEmpty()) {
      throw new InvalidArgumentException("model_name is empty");
    }
    if (name.contains("/") || name.contains("\\") || name.startsWith(".")
        || name.indexOf('\0') >= 0) {
      throw new InvalidArgumentException(
          "model_name '" + name + "' is not a plain directory name: no '/', '\\', leading '.' "
              + "or NUL allowed");
    }
    int bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (bytes > 255) {
      throw new InvalidArgumentException("model_name is " + bytes + " bytes long; a model name "
          + "is a directory name, at most 255 bytes");
    }
  }

  /**
   * Resolves a relative file name inside a directory, refusing absolute paths, {@code ..} and
   * anything else that would land outside it.
   *
   * @throws InvalidArgumentException naming the parameter
   */
  public static Path inside(Path directory, String relative, String what) {
    Path candidate;
    try {
      candidate = relative.isEmpty() ? null : directory.resolve(relative).normalize();
    } catch (java.nio.file.InvalidPathException e) {
      candidate = null;
    }
    if (candidate == null || Path.of(relative).isAbsolute() || relative.contains("..")
        || !candidate.startsWith(directory.normalize())) {
      throw new InvalidArgumentException(
          what + " '" + relative + "' must be a relative path inside the model directory");
    }
    return candidate;
  }

  /** A digest of every file's relative path, size and modification time under a directory. */
  static String fingerprint(Path directory) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.walk(directory)) {
      files.forEach(file -> {
        try {
          BasicFileAttributes attributes =
              Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          lines.add(directory.relativize(file) + "|" + attributes.size() + "|"
              + attributes.lastModifiedTime().toMillis());
        } catch (IOException e) {
          lines.add(directory.relativize(file) + "|unreadable");
        }
      });
    } catch (IOException | UncheckedIOException e) {
      lines.add("unlistable");
    }
    lines.sort(null);
    for (String line : lines) {
      digest.update(line.getBytes(StandardCharsets.UTF_8));
      digest.update((byte) '\n');
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
