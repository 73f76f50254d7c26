package dev.gantry.server.model;

import dev.gantry.proto.ModelConfig;
import dev.gantry.proto.ModelVersionPolicy;
import dev.gantry.server.error.InvalidArgumentException;
import dev.gantry.spi.ModelLoadException;
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
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the models in the repository directories and their versions on disk, selects the versions
 * a version policy asks for, fingerprints their files, and checks that names coming from callers
 * cannot reach outside a repository.
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

  /**
   * The versions of a model on disk, ascending: its subdirectories named by a positive integer.
   *
   * @throws ModelLoadException when it has none, or its directory cannot be listed
   */
  static List<Long> versionsOnDisk(String model, Path directory) throws ModelLoadException {
    List<Long> versions = new ArrayList<>();
    try (Stream<Path> children = Files.list(directory)) {
      for (Path child : children.toList()) {
        Optional<Long> version = parseVersion(child.getFileName().toString());
        if (version.isPresent() && Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
          versions.add(version.get());
        }
      }
    } catch (IOException e) {
      throw new ModelLoadException("cannot list the versions of model '" + model + "'");
    }
    if (versions.isEmpty()) {
      throw new ModelLoadException(
          "model '" + model + "' has no version directory (a positive integer such as 1)");
    }
    Collections.sort(versions);
    return versions;
  }

  /** The versions a policy selects among those on disk, ascending. */
  static List<Long> selectVersions(ModelVersionPolicy policy, List<Long> onDisk)
      throws ModelLoadException {
    switch (policy.getPolicyChoiceCase()) {
      case ALL:
        return onDisk;
      case SPECIFIC:
        List<Long> wanted = new ArrayList<>(new TreeSet<>(policy.getSpecific().getVersionsList()));
        if (!onDisk.containsAll(wanted)) {
          List<Long> missing = new ArrayList<>(wanted);
          missing.removeAll(onDisk);
          throw new ModelLoadException(
              "version_policy.specific lists versions " + missing + " that have no directory; "
                  + "versions on disk are " + onDisk);
        }
        return wanted;
      default:
        int latest = policy.hasLatest() ? policy.getLatest().getNumVersions() : 1;
        if (latest < 1) {
          throw new ModelLoadException("version_policy.latest.num_versions must be at least 1");
        }
        return onDisk.subList(Math.max(0, onDisk.size() - latest), onDisk.size());
    }
  }

  /**
   * What one version is loaded from: where, its files and the configuration; a version whose
   * fingerprint is unchanged need not be reloaded. The directory counts because files' sizes and
   * modification times cannot tell two uploads apart (each upload gets a directory of its own,
   * and two same-sized model files written within a millisecond look alike).
   */
  static String versionFingerprint(Path modelDirectory, long version, ModelConfig declared) {
    return modelDirectory.toAbsolutePath() + "/"
        + fingerprint(modelDirectory.resolve(Long.toString(version)))
        + "/" + Integer.toHexString(declared.hashCode());
  }

  /** A version number as directories and labels write it: a positive integer; else empty. */
  static Optional<Long> parseVersion(String text) {
    if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(Character::isDigit)) {
      return Optional.empty();
    }
    long version = Long.parseLong(text);
    return version > 0 ? Optional.of(version) : Optional.empty();
  }
}
