package dev.gantry.bench;

import dev.gantry.modelgen.OnnxModels;
import dev.gantry.spi.DataType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the model repository of the benchmark suite ({@code bench/run-suite.sh}) with
 * gantry-test-models, so that the suite needs no model files in the source tree:
 *
 * <ul>
 *   <li>{@code tiny}: Add and Sub of two FP32 rows of 16, batching off, for per-request overhead;
 *       declared cheap ({@code execute_on_arrival_us} {@value #TINY_ON_ARRIVAL_MICROS}), as a user
 *       of such a model would;
 *   <li>{@code slow}: an MLP 2048→4096→4096→10 taking several milliseconds per call, batching off,
 *       for what serving adds to a model that dominates the time;
 *   <li>{@code mlp_batched} and {@code mlp_unbatched}: the same compute-bound MLP 512→2048→2048→10,
 *       with dynamic batching (up to {@value #MLP_MAX_BATCH}, {@value #MLP_QUEUE_DELAY_MICROS} µs
 *       queue delay) and without (taking batches up to twice as large, for the in-process batch
 *       curve);
 *   <li>{@code identity_4k}, {@code identity_64k}, {@code identity_600k}: FP32 identities whose
 *       requests carry 4 KiB, 64 KiB and 600 KiB, for the cost per byte.
 * </ul>
 *
 * <p>Every model has one CPU instance with ONNX Runtime's default single intra-op thread, so that
 * it uses the one core the suite gives the server.
 */
public final class BenchModels {
  /** The largest batch of the MLPs. */
  public static final int MLP_MAX_BATCH = 8;

  /** The dynamic batcher's queue delay of {@code mlp_batched}, in microseconds. */
  public static final int MLP_QUEUE_DELAY_MICROS = 1000;

  private static final long MLP_SEED = 7;

  /** The tiny model: Add and Sub of two FP32 rows of {@link #TINY_WIDTH}. */
  static final String TINY = "tiny";
  static final int TINY_WIDTH = 16;
  static final int TINY_MAX_BATCH = 8;
  static final String[] TINY_INPUTS = {"INPUT0", "INPUT1"};
  static final String[] TINY_OUTPUTS = {"OUTPUT0", "OUTPUT1"};

  /** The sizes of the identity models' requests, in KiB. */
  public static final int[] IDENTITY_KIB = {4, 64, 600};
  /** The identity models' tensors and largest batch. */
  static final String IDENTITY_INPUT = "INPUT0";
  static final String IDENTITY_OUTPUT = "OUTPUT0";
  static final int IDENTITY_MAX_BATCH = 8;

  private BenchModels() {}

  /** Writes the models under {@code root}, replacing files of the same names. */
  public static void write(Path root) throws IOException {
    model(root, TINY, OnnxModels.addSub(DataType.FP32, -1, TINY_WIDTH), TINY_MAX_BATCH,
        "parameters { key: \"execute_on_arrival_us\" value: { string_value: \""
            + TINY_ON_ARRIVAL_MICROS + "\" } }\n");
    model(root, "slow", OnnxModels.mlp(2048, 4096, 2, 10, MLP_SEED), 8, "");
    byte[] mlp = OnnxModels.mlp(512, 2048, 2, 10, MLP_SEED);
    model(root, "mlp_batched", mlp, MLP_MAX_BATCH,
        "dynamic_batching {\n  max_queue_delay_microseconds: " + MLP_QUEUE_DELAY_MICROS + "\n}\n");
    model(root, "mlp_unbatched", mlp, 2 * MLP_MAX_BATCH, "");
    for (int kib : IDENTITY_KIB) {
      model(root, identity(kib), OnnxModels.identity(IDENTITY_INPUT, IDENTITY_OUTPUT,
          DataType.FP32, -1, identityFloats(kib)), IDENTITY_MAX_BATCH, "");
    }
  }

  /** The name of the identity model whose requests carry {@code kib} KiB. */
  public static String identity(int kib) {
    return "identity_" + kib + "k";
  }

  /** The FP32 elements of one row of the identity model of {@code kib} KiB. */
  static long identityFloats(int kib) {
    return kib * 1024L / Float.BYTES;
  }

  /** The tiny model's {@code execute_on_arrival_us}: its executions take tens of microseconds. */
  public static final int TINY_ON_ARRIVAL_MICROS = 200;

  /** Writes the suite's repository to the directory given as the only argument. */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: BenchModels <repository-directory>");
      System.exit(2);
    }
    write(Path.of(args[0]));
  }

  private static void model(Path root, String name, byte[] onnx, int maxBatchSize, String extra)
      throws IOException {
    Path version = Files.createDirectories(root.resolve(name).resolve("1"));
    Files.write(version.resolve("model.onnx"), onnx);
    String config = "name: \"" + name + "\"\n"
        + "platform: \"onnxruntime_onnx\"\n"
        + "max_batch_size: " + maxBatchSize + "\n"
        + extra
        + "instance_group [ { count: 1, kind: KIND_CPU } ]\n";
    Files.writeString(root.resolve(name).resolve("config.pbtxt"), config, StandardCharsets.UTF_8);
  }
}
