package dev.gantry.server.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes models into a temporary model repository in Triton's layout. */
final class TestRepository {
  private final Path root;

  TestRepository(Path root) {
    this.root = root;
  }

  Path root() {
    return root;
  }

  /** Writes {@code <model>/<version>/model.onnx}. */
  TestRepository onnx(String model, long version, byte[] onnx) {
    write(root.resolve(model).resolve(Long.toString(version)).resolve("model.onnx"), onnx);
    return this;
  }

  /** Writes {@code <model>/config.pbtxt}. */
  TestRepository config(String model, String pbtxt) {
    write(root.resolve(model).resolve("config.pbtxt"), pbtxt.getBytes());
    return this;
  }

  /** Writes a file of the model's own directory, {@code <model>/<name>}. */
  TestRepository file(String model, String name, String text) {
    write(root.resolve(model).resolve(name), text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return this;
  }

  private static void write(Path file, byte[] bytes) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
