package dev.gantry.server.model;

import dev.gantry.server.error.InvalidArgumentException;
import dev.gantry.server.error.ResourceExhaustedException;
import dev.gantry.server.error.UnavailableException;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model files that RepositoryModelLoad calls send: each call's files are written to a
 * directory of their own under one root, which a model then loads from in place of a repository
 * directory, and which is deleted once no version loads from it.
 */
public final class ModelUploads {
  private static final Logger log = LoggerFactory.getLogger(ModelUploads.class);

  private final Path root;
  private final long maxBytes;
  private final AtomicLong written = new AtomicLong();

  /**
   * @param root where uploaded files are written; the server's own, deleted at exit
   * @param maxBytes the most bytes of model files one load call may carry
   */
  public ModelUploads(Path root, long maxBytes) {
    this.root = root;
    this.maxBytes = maxBytes;
  }

  /**
   * Writes one load call's files into a new directory.
   *
   * @param files contents by path relative to the model directory ({@code 1/model.onnx})
   * @return the directory, laid out as a model directory
   * @throws ResourceExhaustedException when they exceed the limit
   * @throws InvalidArgumentException when a path would leave the directory
   * @throws UnavailableException when they cannot be written
   */
  Path write(String model, Map<String, byte[]> files) {
    long total = 0;
    for (byte[] content : files.values()) {
      total += content.length;
    }
    if (total > maxBytes) {
      throw new ResourceExhaustedException("model files of '" + model + "' total " + total
          + " bytes, over the server's limit of " + maxBytes);
    }
    Path directory = root.resolve(model).resolve(Long.toString(written.incrementAndGet()));
    try {
      Files.createDirectories(directory);
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        Path target = RepositoryScanner.inside(directory, file.getKey(),
            "parameter 'file:" + file.getKey() + "'");
        Files.createDirectories(target.getParent());
        Files.write(target, file.getValue());
      }
    } catch (IOException e) {
      delete(directory);
      throw new UnavailableException("cannot store the model files of '" + model + "': "
          + e.getClass().getSimpleName());
    } catch (RuntimeException e) {
      delete(directory);
      throw e;
    }
    return directory;
  }

  /**
   * Deletes a directory of uploaded files once no version loads from it any more (the backends
   * have read the files into memory by then), and its model's directory when no other upload is
   * left in it; a directory that is not an upload is left alone.
   */
  void delete(Path directory) {
    if (!directory.startsWith(root) || directory.equals(root)) {
      return;
    }
    deleteTree(directory);
    Path model = directory.getParent();
    if (!model.equals(root)) {
      try {
        Files.deleteIfExists(model);
      } catch (DirectoryNotEmptyException e) {
        // another upload of the same model still lives there
      } catch (IOException e) {
        log.warn("cannot delete the uploads directory {}: {}", model, e.toString());
      }
    }
  }

  /** Deletes every uploaded file, when the server stops. */
  public void deleteAll() {
    deleteTree(root);
  }

  /** Deletes what it can of a tree, deepest first; what it cannot is logged. */
  private static void deleteTree(Path directory) {
    IOException failure = null;
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException e) {
          failure = e;
        }
      }
    } catch (IOException e) {
      failure = e;
    }
    if (failure != null) {
      log.warn("cannot delete uploaded model files in {}: {}", directory, failure.toString());
    }
  }
}
