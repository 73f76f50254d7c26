package dev.gantry.spi;

import java.nio.file.Path;

/**
 * A model runtime that Gantry can serve models with, found by {@link java.util.ServiceLoader}.
 *
 * <p>The server knows backends only through this interface: it picks one by the configuration's
 * {@code platform} or {@code backend} name, asks it for instances, and sends them batches of
 * tensors. Implementations must have a public no-argument constructor and be listed in {@code
 * META-INF/services/dev.gantry.spi.Backend}.
 */
public interface Backend {
  /** The backend's name as in a configuration's {@code backend} field, e.g. {@code onnxruntime}. */
  String name();

  /**
   * Whether a version directory holds a model this backend can load with its default file name;
   * used to pick a backend for a model that has no configuration.
   */
  boolean recognizes(Path versionDirectory);

  /** The configuration {@code platform} this backend serves, e.g. {@code onnxruntime_onnx}. */
  String platform();

  /**
   * Creates one instance of a model version: loads its files and prepares it to execute.
   *
   * @throws ModelLoadException with a reason a person can act on, when the model cannot be loaded
   *     as asked (missing file, corrupt model, requested GPU not usable)
   */
  ModelInstance load(InstanceSpec spec) throws ModelLoadException;
}
