package dev.gantry.backend.onnxruntime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import dev.gantry.spi.Backend;
import dev.gantry.spi.InstanceSpec;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Serves ONNX models ({@code platform: "onnxruntime_onnx"}, {@code backend: "onnxruntime"}) with
 * ONNX Runtime's Java API; found by {@link java.util.ServiceLoader}.
 *
 * <p>Every instance is one {@link OrtSession} in the process-wide {@link OrtEnvironment}, created
 * from the version directory's {@value #DEFAULT_MODEL_FILENAME} unless the configuration names
 * another file. Nothing native is loaded until the first model is.
 *
 * <p>The configuration's parameters tune the session: {@code intra_op_thread_count}, {@code
 * inter_op_thread_count}, {@code graph_optimization_level} ({@code disable|basic|extended|all}),
 * {@code execution_mode} ({@code sequential|parallel}) and {@code allow_spinning} ({@code 0|1}).
 * Each instance uses one intra-op thread unless told otherwise, so that a model's instance count
 * sets its parallelism and instances do not compete for cores ({@code 0} restores ONNX Runtime's
 * default of one thread per physical core), and idle threads do not spin unless {@code
 * allow_spinning} is {@code 1}.
 *
 * <p>{@code KIND_GPU} instances use the CUDA execution provider, which only a build with the {@code
 * gpu} Maven profile has; {@code KIND_AUTO} instances use it when it works and the CPU otherwise.
 *
 * <p>Tensor datatypes follow ONNX's, with ONNX strings as BYTES holding UTF-8 text. Models with
 * values that are not tensors, complex or 8-bit float elements, or UINT16, UINT32 or UINT64 inputs
 * (which ONNX Runtime's Java API cannot create) fail to load with a message naming the tensor.
 */
public final class OnnxRuntimeBackend implements Backend {
  /** The backend name in a model configuration. */
  public static final String NAME = "onnxruntime";

  /** The platform name in a model configuration. */
  public static final String PLATFORM = "onnxruntime_onnx";

  /** The model file loaded when the configuration names none. */
  public static final String DEFAULT_MODEL_FILENAME = "model.onnx";

  private final Supplier<Set<OrtProvider>> availableProviders;

  /** The backend over the ONNX Runtime on the class path; loads nothing native until used. */
  public OnnxRuntimeBackend() {
    this(OrtEnvironment::getAvailableProviders);
  }

  /** A backend that believes these execution providers are built in, for testing placement. */
  OnnxRuntimeBackend(Supplier<Set<OrtProvider>> availableProviders) {
    this.availableProviders = availableProviders;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String platform() {
    return PLATFORM;
  }

  @Override
  public boolean recognizes(Path versionDirectory) {
    return Files.isRegularFile(versionDirectory.resolve(DEFAULT_MODEL_FILENAME));
  }

  @Override
  public ModelInstance load(InstanceSpec spec) throws ModelLoadException {
    Path file = spec.modelPath(DEFAULT_MODEL_FILENAME);
    if (!Files.isRegularFile(file)) {
      throw new ModelLoadException(
          "ONNX model file " + file + (Files.exists(file) ? " is not a file" : " does not exist"));
    }
    String description = "model " + spec.modelName() + " version " + spec.version();
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    try (SessionOptions options = new SessionOptions()) {
      options.setLoggerId(spec.modelName() + ":" + spec.version());
      SessionParameters.apply(spec.parameters(), options);
      String device = new DevicePlacement(availableProviders.get()).place(options, spec);
      OrtSession session = environment.createSession(file.toString(), options);
      OrtSession.RunOptions runOptions = null;
      try {
        runOptions = SessionParameters.runOptions(spec.parameters());
        return new OnnxRuntimeInstance(environment, session, runOptions,
            SignatureReader.read(session, file), device, description);
      } catch (ModelLoadException | OrtException | RuntimeException e) {
        if (runOptions != null) {
          runOptions.close();
        }
        closeAfterFailure(session, e);
        throw e;
      }
    } catch (OrtException e) {
      throw new ModelLoadException("cannot load ONNX model " + file + ": " + e.getMessage(), e);
    }
  }

  private static void closeAfterFailure(OrtSession session, Exception failure) {
    try {
      session.close();
    } catch (OrtException e) {
      failure.addSuppressed(e);
    }
  }
}
