package dev.gantry.backend.tensorflow;

import dev.gantry.spi.Backend;
import dev.gantry.spi.InstanceSpec;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.tensorflow.proto.ConfigProto;

/**
 * Serves TensorFlow SavedModels ({@code platform: "tensorflow_savedmodel"}, {@code backend:
 * "tensorflow"}) with the TensorFlow runtime that TensorFlow Java ships; found by {@link
 * java.util.ServiceLoader}.
 *
 * <p>Every instance is one TensorFlow session holding the SavedModel directory {@value
 * #DEFAULT_MODEL_FILENAME} of the version directory (as in Triton), unless the configuration names
 * another. The meta graph tagged {@code serve} and its signature {@code serving_default} are served
 * unless the parameters {@code saved_model_tags} and {@code signature_name} choose others (see
 * {@link SavedModelSelection}); inputs and outputs are the signature's keys, in key order. The
 * parameters {@code intra_op_thread_count}, {@code inter_op_thread_count} (both 1 by default, so
 * that a model's instance count sets its parallelism), {@code gpu_memory_growth} and {@code
 * gpu_memory_fraction} tune the session (see {@link SessionParameters}).
 *
 * <p>{@code KIND_GPU} instances need the CUDA build of TensorFlow, which only a build with the
 * {@code gpu} Maven profile has, and a GPU TensorFlow can see; {@code KIND_AUTO} instances use the
 * GPU when both hold and the CPU otherwise (see {@link DevicePlacement}).
 *
 * <p>Datatypes follow TensorFlow's: {@code DT_FLOAT}, {@code DT_DOUBLE}, {@code DT_HALF}, {@code
 * DT_BFLOAT16}, signed and unsigned integers of 8 to 64 bits and {@code DT_BOOL} keep their bytes;
 * {@code DT_STRING} is BYTES, each element any bytes. Signatures with other element types, sparse
 * tensors or tensors of unknown rank fail to load with a message naming the tensor.
 *
 * <p>The native library is loaded once per JVM, by JavaCPP, when the first model loads. A
 * TensorFlow session could run steps from several threads at once, but each instance runs one step
 * at a time (the server calls it from one thread), so instances are not shared: a model's
 * parallelism is its instance count.
 */
public final class TensorFlowBackend implements Backend {
  /** The backend name in a model configuration. */
  public static final String NAME = "tensorflow";

  /** The platform name in a model configuration. */
  public static final String PLATFORM = "tensorflow_savedmodel";

  /** The SavedModel directory loaded when the configuration names none. */
  public static final String DEFAULT_MODEL_FILENAME = "model.savedmodel";

  private static final String SAVED_MODEL_FILE = "saved_model.pb";

  private final BooleanSupplier builtWithCuda;

  /** The backend over the TensorFlow on the class path; loads nothing native until used. */
  public TensorFlowBackend() {
    this(GpuDevices::builtWithCuda);
  }

  /** A backend that believes the native library has GPU support or not, for testing placement. */
  TensorFlowBackend(BooleanSupplier builtWithCuda) {
    this.builtWithCuda = builtWithCuda;
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
    return Files.isRegularFile(
        versionDirectory.resolve(DEFAULT_MODEL_FILENAME).resolve(SAVED_MODEL_FILE));
  }

  @Override
  public ModelInstance load(InstanceSpec spec) throws ModelLoadException {
    Path directory = spec.modelPath(DEFAULT_MODEL_FILENAME);
    if (!Files.isDirectory(directory)) {
      throw new ModelLoadException(
          "TensorFlow SavedModel directory "
              + directory
              + (Files.exists(directory) ? " is not a directory" : " does not exist"));
    }
    if (!Files.isRegularFile(directory.resolve(SAVED_MODEL_FILE))) {
      throw new ModelLoadException(
          "TensorFlow SavedModel directory " + directory + " has no " + SAVED_MODEL_FILE);
    }
    SavedModelSelection selection = SavedModelSelection.from(spec.parameters());
    ConfigProto.Builder config = SessionParameters.config(spec.parameters());
    String device = new DevicePlacement(builtWithCuda).place(config, spec);
    SavedModelSession session = SavedModelSession.load(directory, selection.tags(), config.build());
    try {
      return new TensorFlowInstance(
          session, SignatureReader.read(session, selection.signatureKey(), directory), device);
    } catch (ModelLoadException | RuntimeException e) {
      session.close();
      throw e;
    }
  }
}
