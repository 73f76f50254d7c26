package dev.gantry.backend.onnxruntime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.RunOptions;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.ExecutionMode;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.gantry.spi.ModelLoadException;
import java.util.Map;

/**
 * Applies a model configuration's {@code parameters} to ONNX Runtime session options, with the
 * names Triton's ONNX Runtime backend uses where it has them.
 *
 * <ul>
 *   <li>{@code intra_op_thread_count}: threads one operator may use; default 1, so that a model's
 *       parallelism is its instance count and instances do not compete for cores; 0 is ONNX
 *       Runtime's own default (one thread per physical core).
 *   <li>{@code inter_op_thread_count}: threads running independent operators in parallel execution
 *       mode; default and 0 are ONNX Runtime's default.
 *   <li>{@code graph_optimization_level}: {@code disable}, {@code basic}, {@code extended} or
 *       {@code all} (ONNX Runtime's default).
 *   <li>{@code execution_mode}: {@code sequential} (ONNX Runtime's default) or {@code parallel}.
 *   <li>{@code allow_spinning}: {@code 0} (the default here) or {@code 1}; whether idle thread-pool
 *       threads spin waiting for work. Spinning lowers latency a little but keeps cores busy while
 *       nothing runs, so it is off unless asked for.
 *   <li>{@code enable_mem_arena}: {@code 1} (ONNX Runtime's default) or {@code 0}; whether the
 *       session allocates its CPU tensors from an arena, which grows to the largest execution's
 *       needs and keeps that memory. Off, every tensor is allocated and freed with malloc (a little
 *       slower; the memory goes back to the C library, and from there to the system when the
 *       server trims it).
 *   <li>{@code enable_mem_pattern}: {@code 1} (ONNX Runtime's default) or {@code 0}; whether the
 *       session plans and preallocates one block for all tensors of an execution, per input shape
 *       seen.
 *   <li>{@code memory.enable_memory_arena_shrinkage}: ONNX Runtime's run option of that name, e.g.
 *       {@code cpu:0}: after every execution, the arena frees what it does not use (needs the
 *       arena on). Bounds the arena to what each execution uses, at some cost per execution.
 * </ul>
 *
 * <p>Other keys are left to other parts of the server. A value this class cannot use fails the load
 * with a message naming the key and the accepted values.
 */
final class SessionParameters {
  static final String INTRA_OP_THREADS = "intra_op_thread_count";
  static final String INTER_OP_THREADS = "inter_op_thread_count";
  static final String OPTIMIZATION_LEVEL = "graph_optimization_level";
  static final String EXECUTION_MODE = "execution_mode";
  static final String ALLOW_SPINNING = "allow_spinning";
  static final String MEMORY_ARENA = "enable_mem_arena";
  static final String MEMORY_PATTERN = "enable_mem_pattern";
  static final String ARENA_SHRINKAGE = "memory.enable_memory_arena_shrinkage";

  private static final int DEFAULT_INTRA_OP_THREADS = 1;
  private static final Map<String, OptLevel> LEVELS =
      Map.of(
          "disable", OptLevel.NO_OPT,
          "basic", OptLevel.BASIC_OPT,
          "extended", OptLevel.EXTENDED_OPT,
          "all", OptLevel.ALL_OPT);
  private static final Map<String, ExecutionMode> MODES =
      Map.of("sequential", ExecutionMode.SEQUENTIAL, "parallel", ExecutionMode.PARALLEL);
  private static final Map<String, String> SPINNING = Map.of("0", "0", "1", "1");
  private static final Map<String, Boolean> SWITCH = Map.of("0", false, "1", true);
  private static final String DEVICES = "(cpu|gpu):[0-9]{1,4}(;(cpu|gpu):[0-9]{1,4})*";

  private SessionParameters() {}

  static void apply(Map<String, String> parameters, SessionOptions options)
      throws ModelLoadException, OrtException {
    options.setIntraOpNumThreads(threads(parameters, INTRA_OP_THREADS, DEFAULT_INTRA_OP_THREADS));
    if (parameters.containsKey(INTER_OP_THREADS)) {
      options.setInterOpNumThreads(threads(parameters, INTER_OP_THREADS, 0));
    }
    if (parameters.containsKey(OPTIMIZATION_LEVEL)) {
      options.setOptimizationLevel(
          choice(parameters, OPTIMIZATION_LEVEL, LEVELS, "disable|basic|extended|all"));
    }
    if (parameters.containsKey(EXECUTION_MODE)) {
      options.setExecutionMode(choice(parameters, EXECUTION_MODE, MODES, "sequential|parallel"));
    }
    String spinning =
        parameters.containsKey(ALLOW_SPINNING)
            ? choice(parameters, ALLOW_SPINNING, SPINNING, "0|1")
            : "0";
    options.addConfigEntry("session.intra_op.allow_spinning", spinning);
    options.addConfigEntry("session.inter_op.allow_spinning", spinning);
    boolean arena = !parameters.containsKey(MEMORY_ARENA)
        || choice(parameters, MEMORY_ARENA, SWITCH, "0|1");
    options.setCPUArenaAllocator(arena);
    if (parameters.containsKey(MEMORY_PATTERN)) {
      options.setMemoryPatternOptimization(choice(parameters, MEMORY_PATTERN, SWITCH, "0|1"));
    }
    String shrinkage = parameters.get(ARENA_SHRINKAGE);
    if (shrinkage != null && !shrinkage.matches(DEVICES)) {
      throw new ModelLoadException("parameter " + ARENA_SHRINKAGE
          + " must be a list of devices such as cpu:0 or cpu:0;gpu:0, got '" + shrinkage + "'");
    }
    if (shrinkage != null && shrinkage.contains("cpu:") && !arena) {
      throw new ModelLoadException("parameter " + ARENA_SHRINKAGE
          + " shrinks the CPU arena, which " + MEMORY_ARENA + " 0 turns off");
    }
  }

  /** The options of every execution: the arena shrinkage, if the parameters ask for it. */
  static RunOptions runOptions(Map<String, String> parameters) throws OrtException {
    RunOptions options = new RunOptions();
    String shrinkage = parameters.get(ARENA_SHRINKAGE);
    if (shrinkage != null) {
      options.addRunConfigEntry(ARENA_SHRINKAGE, shrinkage);
    }
    return options;
  }

  private static int threads(Map<String, String> parameters, String key, int fallback)
      throws ModelLoadException {
    String value = parameters.get(key);
    if (value == null) {
      return fallback;
    }
    if (value.matches("[0-9]{1,9}")) {
      return Integer.parseInt(value);
    }
    throw new ModelLoadException(
        "parameter "
            + key
            + " must be a thread count of 0 or more (0 for ONNX Runtime's"
            + " default), got '"
            + value
            + "'");
  }

  private static <T> T choice(
      Map<String, String> parameters, String key, Map<String, T> accepted, String names)
      throws ModelLoadException {
    String value = parameters.get(key);
    T chosen = accepted.get(value);
    if (chosen == null) {
      throw new ModelLoadException(
          "parameter " + key + " must be one of " + names + ", got '" + value + "'");
    }
    return chosen;
  }
}
