package dev.gantry.backend.tensorflow;

import dev.gantry.spi.ModelLoadException;
import java.util.Map;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;
import org.tensorflow.proto.ThreadPoolOptionProto;

/**
 * Turns a model configuration's {@code parameters} into the TensorFlow session configuration.
 *
 * <ul>
 *   <li>{@code intra_op_thread_count}: threads one operator may use; default 1, so that a model's
 *       parallelism is its instance count and instances do not compete for cores; 0 is TensorFlow's
 *       own default (one thread per core). TensorFlow shares one intra-op pool among all sessions
 *       of the process, sized by the first session it creates (unless the process runs with {@code
 *       TF_OVERRIDE_GLOBAL_THREADPOOL=true}), so the first TensorFlow instance loaded decides it
 *       for all.
 *   <li>{@code inter_op_thread_count}: threads running independent operators at once; default 1 for
 *       the same reason; 0 is TensorFlow's default. Each session gets a pool of its own of this
 *       size, so this one does apply per instance.
 *   <li>{@code gpu_memory_growth}: {@code true} or {@code false} (TensorFlow's default); whether
 *       TensorFlow takes GPU memory as it needs it rather than all at once.
 *   <li>{@code gpu_memory_fraction}: a number greater than 0 and at most 1, the share of each GPU's
 *       memory TensorFlow may take.
 * </ul>
 *
 * <p>TensorFlow keeps one allocator per GPU for the whole process: the GPU memory settings of the
 * first session that uses a GPU hold for every later one. Soft placement is always on, so that an
 * operator with no kernel for the chosen device runs on the CPU instead of failing the load. Other
 * keys are left to other parts of the server. A value this class cannot use fails the load with a
 * message naming the key and the accepted values.
 */
final class SessionParameters {
  static final String INTRA_OP_THREADS = "intra_op_thread_count";
  static final String INTER_OP_THREADS = "inter_op_thread_count";
  static final String GPU_MEMORY_GROWTH = "gpu_memory_growth";
  static final String GPU_MEMORY_FRACTION = "gpu_memory_fraction";

  private static final int DEFAULT_THREADS = 1;
  private static final String DECIMAL = "[0-9]+(\\.[0-9]*)?|\\.[0-9]+";
  private static final Map<String, Boolean> BOOLEANS = Map.of("true", true, "false", false);

  private SessionParameters() {}

  static ConfigProto.Builder config(Map<String, String> parameters) throws ModelLoadException {
    int interOpThreads = threads(parameters, INTER_OP_THREADS);
    ConfigProto.Builder config =
        ConfigProto.newBuilder()
            .setIntraOpParallelismThreads(threads(parameters, INTRA_OP_THREADS))
            .setInterOpParallelismThreads(interOpThreads)
            .addSessionInterOpThreadPool(
                ThreadPoolOptionProto.newBuilder().setNumThreads(interOpThreads))
            .setAllowSoftPlacement(true);
    GPUOptions.Builder gpu = config.getGpuOptionsBuilder();
    if (parameters.containsKey(GPU_MEMORY_GROWTH)) {
      gpu.setAllowGrowth(memoryGrowth(parameters.get(GPU_MEMORY_GROWTH)));
    }
    if (parameters.containsKey(GPU_MEMORY_FRACTION)) {
      gpu.setPerProcessGpuMemoryFraction(memoryFraction(parameters.get(GPU_MEMORY_FRACTION)));
    }
    return config;
  }

  private static int threads(Map<String, String> parameters, String key) throws ModelLoadException {
    String value = parameters.get(key);
    if (value == null) {
      return DEFAULT_THREADS;
    }
    if (value.matches("[0-9]{1,9}")) {
      return Integer.parseInt(value);
    }
    throw new ModelLoadException(
        "parameter "
            + key
            + " must be a thread count of 0 or more (0 for TensorFlow's default), got '"
            + value
            + "'");
  }

  private static boolean memoryGrowth(String value) throws ModelLoadException {
    Boolean growth = BOOLEANS.get(value);
    if (growth == null) {
      throw new ModelLoadException(
          "parameter " + GPU_MEMORY_GROWTH + " must be one of true|false, got '" + value + "'");
    }
    return growth;
  }

  private static double memoryFraction(String value) throws ModelLoadException {
    if (value.matches(DECIMAL)) {
      double fraction = Double.parseDouble(value);
      if (fraction > 0 && fraction <= 1) {
        return fraction;
      }
    }
    throw new ModelLoadException(
        "parameter "
            + GPU_MEMORY_FRACTION
            + " must be a fraction of GPU memory greater than 0 and at most 1, got '"
            + value
            + "'");
  }
}
