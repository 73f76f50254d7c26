package dev.gantry.bench.report;

import dev.gantry.bench.BenchModels;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Gantry's benchmark suite as data: every run {@code bench/run-suite.sh} makes, in order, grouped
 * in the sections of {@code bench/RESULTS.md} with the prose that says what they measure, and the
 * goals {@link SuiteReport} judges them by. The script takes its runs from {@link #main} and the
 * report finds their results under the same names, so the two cannot drift apart.
 */
public final class SuitePlan {
  /** Where a run sends its load. */
  enum Target {
    /** To the suite's server, from a load generator on the transport's core. */
    SERVED,
    /** Into the backend in the generator's own process, on the model core. */
    IN_PROCESS,
    /**
     * To a grpc-java server that echoes the identity and tiny models' tensors ({@code
     * EchoServer}), on the core of Gantry's transport: what the transport alone costs for the
     * same messages.
     */
    ECHO
  }

  /**
   * One run of the load CLI.
   *
   * @param name the run's name, and the name of its JSON file
   * @param target where its load goes
   * @param generatorJvm JVM options of the load generator, empty for none
   * @param args the run's own CLI arguments (the script adds the suite's common ones)
   */
  record Run(String name, Target target, String generatorJvm, List<String> args) {
    Run {
      args = List.copyOf(args);
    }

    /** The line {@link #main} prints: target, name, JVM options ({@code -} for none), arguments. */
    String line() {
      return String.join("\t", Stream.concat(
          Stream.of(target.name().toLowerCase(Locale.ROOT).replace('_', '-'), name,
              generatorJvm.isEmpty() ? "-" : generatorJvm), args.stream()).toList());
    }
  }

  /** A section of the results: its heading, what it measures, and its runs in order. */
  record Section(String title, String description, List<Run> runs) {
    Section {
      runs = List.copyOf(runs);
    }
  }

  /**
   * A goal of the suite, as stated in the issue that set it.
   *
   * @param template the goal's wording, {@code {}} standing for the bound
   * @param bound the ratio or the microseconds the goal allows
   */
  record Goal(String template, double bound) {
    /** The goal's wording with its bound. */
    String statement() {
      return template.replace("{}", BigDecimal.valueOf(bound).stripTrailingZeros().toPlainString());
    }
  }

  static final Goal TINY_THROUGHPUT =
      new Goal("Tiny-model throughput ≥ {} × the empty-RPC ceiling", 0.8);
  static final Goal TINY_CAPACITY = new Goal(
      "Tiny inferences per server CPU-second ≥ {} × empty RPCs per server CPU-second", 0.5);
  static final Goal SLOW_THROUGHPUT =
      new Goal("Served ≥ {} × in-process for a model of ≥ 5 ms", 0.95);
  static final Goal SLOW_P50 =
      new Goal("Served p50 ≤ in-process p50 + {} µs for a model of ≥ 5 ms", 150);
  static final Goal BATCHING_GAIN = new Goal("Batching on ≥ {} × batching off", 2.0);
  static final Goal BATCHING_EFFICIENCY =
      new Goal("Batching on ≥ {} × in-process at the batch size formed", 0.8);
  static final Goal BATCHING_P99 = new Goal(
      "p99 with batching ≤ max_queue_delay + {} × in-process time of a full batch", 2);
  /** Half the server CPU per megabyte measured when the serving-path issue was filed. */
  static final Goal PAYLOAD_CPU =
      new Goal("Server CPU per MB of a 600 KB request ≤ {} ms (half of 1.9 ms)", 0.95);

  /**
   * ServerLive at one call every few milliseconds, the slow model's pace: what one round trip
   * through the transport costs after the machine idled between calls, for the floor of the slow
   * model's goals at concurrency 1.
   */
  static final String LIVE_PACED = "live_paced";
  /** Calls a second of {@link #LIVE_PACED}: one every 5 ms. */
  static final int PACED_RATE = 200;
  static final int[] CONCURRENCY_TINY = {1, 4, 16};
  static final int[] CONCURRENCY_SLOW = {1, 2};
  static final int[] CURVE = {1, 2, 4, 8, 16};
  static final int[] CONCURRENCY_STREAM = {1, 8};
  /** Rounds of in-process at the full batch followed by served with batching on. */
  static final int BATCHING_ROUNDS = 5;
  static final int FULL_BATCH = BenchModels.MLP_MAX_BATCH;
  /** The identity models' request sizes, in KiB. */
  static final int[] PAYLOADS = BenchModels.IDENTITY_KIB;
  /** The payload the CPU-per-megabyte goal is judged on, in KiB. */
  static final int GOAL_PAYLOAD = 600;
  /**
   * The JVM options of every served run's load generator. A fresh generator JVM compiling with C2
   * is still compiling minutes later, on the core it shares with the server's transport, which
   * left levels unstable and moved the ratios by a tenth; C1 alone settles within the warm-up. In
   * the in-process runs the generator is the measured process and compiles as the server does.
   */
  static final String GENERATOR_JVM = "-XX:TieredStopAtLevel=1";

  static final Section EMPTY_RPC = new Section("1. Empty RPC ceiling and a tiny model",
      "`ServerLive` (no model) against `tiny` (Add and Sub of two FP32 rows of 16: 128 bytes in,"
          + " 128 out; batching off; `execute_on_arrival_us` " + BenchModels.TINY_ON_ARRIVAL_MICROS
          + ", so that its requests run on the transport thread when its instance is idle),"
          + " closed loop, sync mode, the two interleaved per level, each level of `tiny` followed"
          + " by the same load against a grpc-java server configured and parsing as Gantry's"
          + " transport does that only echoes the inputs back as the outputs (`EchoServer`, on the"
          + " core of Gantry's transport): what the transport alone costs for the tiny messages; then `tiny` in-process, for what"
          + " the model itself costs.",
      emptyRpcRuns());
  static final Section SLOW_MODEL = new Section(
      "2. A model of several milliseconds: served against in-process",
      "`slow` (MLP 2048→4096→4096→10, FP32, batching off, one instance) over gRPC against the"
          + " same model called through the backend SPI in one process; then ServerLive at one call"
          + " every 5 ms (" + PACED_RATE + " calls a second), what one trip through the transport"
          + " costs when the machine idles between calls as it does around the slow model at"
          + " concurrency 1.",
      slowRuns());
  static final Section BATCHING = new Section("3. Dynamic batching of a compute-bound MLP",
      "MLP 512→2048→2048→10, FP32. In-process: one thread calling the backend with batches of 1"
          + " to 16. Served: 16 batch-1 requests kept outstanding (async mode) to `mlp_batched`"
          + " (dynamic batching, max_batch_size " + BenchModels.MLP_MAX_BATCH + ", max_queue_delay "
          + BenchModels.MLP_QUEUE_DELAY_MICROS + " µs) and to `mlp_unbatched` (the same model, no"
          + " dynamic batching).",
      batchingRuns());
  static final Section PAYLOAD = new Section("4. Payload size: server CPU per megabyte",
      "FP32 identity models, 4 requests outstanding (async mode), zeros; the response carries the"
          + " same bytes back. MB = 10^6 bytes of request payload. Each size is run against Gantry"
          + " and then, for the floor, against a grpc-java server configured and parsing as"
          + " Gantry's transport does that only echoes the tensor back (`EchoServer`, on the same"
          + " core as Gantry's transport).",
      payloadRuns());
  static final Section STREAMING = new Section("5. Unary and streaming on the tiny model",
      "`tiny`, async unary calls against one bidirectional stream, the same number of requests"
          + " outstanding.",
      streamingRuns());
  /** Runs that warm the server's JIT on every path the suite takes; they are not reported. */
  static final List<Run> WARMUP = List.of(
      served("warmup_unary", "-m", "tiny", "--mode", "async", "--concurrency-range", "8",
          "--max-trials", "3"),
      served("warmup_stream", "-m", "tiny", "--mode", "stream", "--concurrency-range", "8",
          "--max-trials", "3"),
      served("warmup_live", "--rpc", "live", "--concurrency-range", "8", "--max-trials", "3"),
      served("warmup_batching", "-m", "mlp_batched", "--mode", "async", "--concurrency-range",
          "16", "--max-trials", "3"),
      served("warmup_payload", "-m", "identity_64k", "--input-data", "zero",
          "--concurrency-range", "4", "--max-trials", "3"));
  static final List<Section> SECTIONS = List.of(EMPTY_RPC, SLOW_MODEL, BATCHING, PAYLOAD, STREAMING);

  private SuitePlan() {}

  /** Prints every run of the suite, warm-up first, one tab-separated {@link Run#line()} each. */
  public static void main(String[] args) {
    runs().forEach(run -> System.out.println(run.line()));
  }

  /** Every run of the suite in the order the script makes them. */
  static List<Run> runs() {
    List<Run> runs = new ArrayList<>(WARMUP);
    SECTIONS.forEach(section -> runs.addAll(section.runs()));
    return runs;
  }

  static String live(int concurrency) {
    return "live_c" + concurrency;
  }

  static String tiny(int concurrency) {
    return "tiny_c" + concurrency;
  }

  /** The run of {@link #tiny} against the echo, the transport's floor for the tiny messages. */
  static String tinyEcho(int concurrency) {
    return "echo_" + tiny(concurrency);
  }

  /** The tiny model called in-process: what the model itself costs, for the floor of the goals. */
  static final String TINY_IN_PROCESS = "tiny_inprocess_c1";

  static String slowServed(int concurrency) {
    return "slow_served_c" + concurrency;
  }

  static String slowInProcess(int concurrency) {
    return "slow_inprocess_c" + concurrency;
  }


  static String mlpInProcess(int batch) {
    return "mlp_inprocess_b" + batch;
  }

  static final String MLP_BATCHING_OFF = "mlp_batching_off";

  static String mlpPairInProcess(int round) {
    return "mlp_pair_inprocess_r" + round;
  }

  static String mlpPairServed(int round) {
    return "mlp_pair_served_r" + round;
  }

  static String identity(int kib) {
    return BenchModels.identity(kib);
  }

  /** The run of {@link #identity} against the echo, the transport's floor for that payload. */
  static String identityEcho(int size) {
    return "echo_" + identity(size);
  }

  static String tinyMode(String mode, int concurrency) {
    return "tiny_" + mode + "_c" + concurrency;
  }

  private static List<Run> emptyRpcRuns() {
    List<Run> runs = new ArrayList<>();
    for (int c : CONCURRENCY_TINY) {
      runs.add(served(live(c), "--rpc", "live", "--concurrency-range", Integer.toString(c)));
      runs.add(served(tiny(c), "-m", "tiny", "--concurrency-range", Integer.toString(c)));
      runs.add(echo(tinyEcho(c), "-m", "tiny", "--concurrency-range", Integer.toString(c)));
    }
    runs.add(inProcess(TINY_IN_PROCESS, "-m", "tiny", "--concurrency-range", "1"));
    return runs;
  }

  private static List<Run> slowRuns() {
    List<Run> runs = new ArrayList<>();
    for (int c : CONCURRENCY_SLOW) {
      runs.add(served(slowServed(c), "-m", "slow", "--concurrency-range", Integer.toString(c)));
      runs.add(inProcess(slowInProcess(c), "-m", "slow", "--concurrency-range",
          Integer.toString(c)));
    }
    runs.add(served(LIVE_PACED, "--rpc", "live", "--request-rate-range",
        Integer.toString(PACED_RATE)));
    return runs;
  }

  /**
   * The in-process batch curve, batching off, then paired rounds: in-process at the full batch and
   * the server with batching on back to back, so that each ratio compares one state of the machine.
   */
  private static List<Run> batchingRuns() {
    List<Run> runs = new ArrayList<>();
    for (int b : CURVE) {
      runs.add(inProcess(mlpInProcess(b), "-m", "mlp_unbatched", "-b", Integer.toString(b),
          "--concurrency-range", "1"));
    }
    runs.add(served(MLP_BATCHING_OFF, "-m", "mlp_unbatched", "--mode", "async",
        "--concurrency-range", "16"));
    for (int r = 1; r <= BATCHING_ROUNDS; r++) {
      runs.add(inProcess(mlpPairInProcess(r), "-m", "mlp_unbatched", "-b",
          Integer.toString(FULL_BATCH), "--concurrency-range", "1"));
      runs.add(served(mlpPairServed(r), "-m", "mlp_batched", "--mode", "async",
          "--concurrency-range", "16"));
    }
    return runs;
  }

  private static List<Run> payloadRuns() {
    List<Run> runs = new ArrayList<>();
    for (int size : PAYLOADS) {
      String[] args = {"-m", identity(size), "--mode", "async", "--input-data", "zero",
          "--concurrency-range", "4"};
      runs.add(served(identity(size), args));
      runs.add(echo(identityEcho(size), args));
    }
    return runs;
  }

  private static List<Run> streamingRuns() {
    List<Run> runs = new ArrayList<>();
    for (int c : CONCURRENCY_STREAM) {
      for (String mode : List.of("unary", "stream")) {
        String cliMode = mode.equals("unary") ? "async" : "stream";
        runs.add(served(tinyMode(mode, c), "-m", "tiny", "--mode", cliMode,
            "--concurrency-range", Integer.toString(c)));
      }
    }
    return runs;
  }

  private static Run served(String name, String... args) {
    return new Run(name, Target.SERVED, GENERATOR_JVM, List.of(args));
  }

  private static Run echo(String name, String... args) {
    return new Run(name, Target.ECHO, GENERATOR_JVM, List.of(args));
  }

  private static Run inProcess(String name, String... args) {
    return new Run(name, Target.IN_PROCESS, "", List.of(args));
  }
}
