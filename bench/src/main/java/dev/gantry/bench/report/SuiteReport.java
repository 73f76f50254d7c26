package dev.gantry.bench.report;

import dev.gantry.bench.BenchModels;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * Writes the suite's {@code bench/RESULTS.md} from the JSON of each run of {@code
 * bench/run-suite.sh}: the command and machine, every figure side by side, the ratios the goals
 * are stated in, and for each goal whether it was met. A run that left no result is reported as
 * not measured, never skipped silently.
 */
public final class SuiteReport {
  static final double TINY_GOAL = 0.8;
  static final double SLOW_GOAL = 0.9;
  static final double BATCHING_GAIN_GOAL = 2.0;
  static final double BATCHING_EFFICIENCY_GOAL = 0.8;
  static final int[] CONCURRENCY_TINY = {1, 4, 16};
  static final int[] CONCURRENCY_SLOW = {1, 2};
  static final int[] CURVE = {1, 2, 4, 8, 16};
  static final int[] CONCURRENCY_STREAM = {1, 8};
  /** Rounds of in-process at the full batch followed by served with batching on. */
  static final int BATCHING_ROUNDS = 5;
  static final int FULL_BATCH = BenchModels.MLP_MAX_BATCH;
  static final String[] PAYLOADS = {"4k", "64k", "600k"};
  static final String UNSTABLE = " (u)";
  /** A load generator using this share of a core or more limited its run. */
  static final double GENERATOR_BOUND = 0.95;

  private final Path runs;
  private final Properties meta;
  private final List<String> failures;
  private final Map<String, Integer> interference;
  /** Where the soak run, which this suite does not repeat, is recorded. */
  /**
   * The line after which RESULTS.md holds sections measured by hand (failover, HTTP against gRPC,
   * shared memory); a new suite run keeps them as they are.
   */
  static final String KEPT_BELOW =
      "<!-- Sections below are measured by hand; bench/run-suite.sh keeps them as they are. -->";

  static final String SOAK = "## Soak\n\nThe soak run under mixed load (`scripts/soak.sh`) is "
      + "recorded in [docs/soak-results.md](../docs/soak-results.md).\n";

  private final String copies;
  private final List<String> verdicts = new ArrayList<>();

  /**
   * @param runs the directory of the runs' JSON files
   * @param meta the command, machine and settings of the suite
   * @param failures one line per run that failed or was skipped
   * @param interference per served run, the percentage of the model core other processes used
   * @param copies Markdown describing the copies of the payload on the serving path
   */
  SuiteReport(Path runs, Properties meta, List<String> failures, Map<String, Integer> interference,
      String copies) {
    this.runs = runs;
    this.meta = meta;
    this.failures = List.copyOf(failures);
    this.interference = new TreeMap<>(interference);
    this.copies = copies;
  }

  /**
   * Arguments: the JSON directory, the meta properties, the failures file, the interference file
   * ({@code NAME PERCENT} per line), the copies note (Markdown) and the RESULTS.md to write.
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 6) {
      System.err.println("usage: SuiteReport JSON_DIR META.properties FAILURES.txt"
          + " INTERFERENCE.txt COPIES.md RESULTS.md");
      System.exit(2);
    }
    Properties meta = new Properties();
    try (Reader reader = Files.newBufferedReader(Path.of(args[1]), StandardCharsets.UTF_8)) {
      meta.load(reader);
    }
    List<String> failures = Files.readAllLines(Path.of(args[2]));
    Map<String, Integer> interference = new TreeMap<>();
    for (String line : Files.readAllLines(Path.of(args[3]))) {
      String[] fields = line.trim().split(" ");
      if (fields.length == 2) {
        interference.put(fields[0], Integer.parseInt(fields[1]));
      }
    }
    String copies = Files.readString(Path.of(args[4]), StandardCharsets.UTF_8);
    String text = new SuiteReport(Path.of(args[0]), meta, failures, interference, copies).render();
    Path results = Path.of(args[5]);
    String previous = Files.exists(results) ? Files.readString(results, StandardCharsets.UTF_8) : "";
    Files.writeString(results, withKeptSections(text, previous), StandardCharsets.UTF_8);
  }

  /** The new report followed by the hand-measured sections of the previous one, if it had any. */
  static String withKeptSections(String report, String previous) {
    int kept = previous.indexOf(KEPT_BELOW);
    return kept < 0 ? report : report + "\n" + previous.substring(kept);
  }

  String render() throws IOException {
    String sections = emptyRpc() + slowModel() + batching() + payloads() + streaming();
    StringBuilder text = new StringBuilder("# Gantry benchmark results\n\n");
    text.append("Written by `bench/run-suite.sh` (see `docs/bench.md`); numbers from one run.\n\n");
    text.append("- Command: `").append(meta.getProperty("command")).append("`\n");
    text.append("- Date: ").append(meta.getProperty("date")).append('\n');
    text.append("- Machine: ").append(meta.getProperty("nproc")).append(" cores (`nproc`), ")
        .append(meta.getProperty("cpu")).append(", ").append(meta.getProperty("memory"))
        .append(" memory, no GPU\n");
    text.append("- JDK: ").append(meta.getProperty("jdk")).append('\n');
    text.append("- Code: commit ").append(meta.getProperty("commit"));
    String dirty = meta.getProperty("dirty", "0").trim();
    if (!dirty.equals("0")) {
      text.append(" with ").append(dirty).append(" uncommitted file(s) under server, backends,"
          + " client or proto");
    }
    text.append("; server jar built ").append(meta.getProperty("server_jar")).append('\n');
    String modelCore = meta.getProperty("model_cpu");
    String clientCore = meta.getProperty("client_cpu");
    text.append("- Pinning: the server's model instances on core ").append(modelCore)
        .append(" (`--host-policy cpu,cpu-cores=").append(modelCore).append("`), the rest of the"
            + " server (transport, timers, JIT, GC) and the load generator on core ")
        .append(clientCore).append(" (`taskset`); in-process runs on core ").append(modelCore)
        .append(" while the server idles, so that served and in-process compute on the same core."
            + " Server CPU counts the server's threads on both cores");
    String niceness = meta.getProperty("nice", "0");
    if (!niceness.equals("0")) {
      text.append("; the suite's processes ran at niceness ").append(niceness)
          .append(", ahead of other work on the machine");
    }
    text.append('\n');
    text.append("- Measurement: windows of ").append(meta.getProperty("interval_ms"))
        .append(" ms, at most ").append(meta.getProperty("trials"))
        .append(" per level, stable when the last 3 agree within 10% (throughput and mean"
            + " latency); figures merge the last 3 windows; 6 s of warm-up per level after a"
            + " warm-up of the server on every path; suite measured in ")
        .append(meta.getProperty("elapsed_s")).append(" s\n");
    text.append("- Load: the machine is shared with other work; its 1-minute load average before"
        + " each run was between ").append(meta.getProperty("load_min")).append(" and ")
        .append(meta.getProperty("load_max"));
    List<Integer> shares = interference.values().stream().sorted().toList();
    if (disturbed()) {
      text.append("; other processes used ").append(shares.get(0)).append("% to ")
          .append(shares.get(shares.size() - 1)).append("% (median ")
          .append(shares.get(shares.size() / 2)).append("%) of the model core during the"
              + " served runs (per run at the end)");
    } else if (!shares.isEmpty()) {
      text.append("; other processes used no measurable share of the model core during the"
          + " served runs");
    }
    text.append(". Pinning separates cores, not the shared cache and memory bandwidth: other work"
        + " still moves the numbers, most for models whose weights do not fit in cache (the MLPs)\n");
    text.append("- Latencies in microseconds, measured by the client; server CPU from"
        + " `/proc/<pid>/stat` over the measured windows. A throughput marked" + UNSTABLE
        + " comes from a level whose last 3 windows did not agree within 10%.\n\n");
    text.append("## Goals\n\n");
    verdicts.forEach(line -> text.append("- ").append(line).append('\n'));
    if (!failures.isEmpty()) {
      text.append("\nRuns that failed or were skipped:\n\n");
      failures.forEach(line -> text.append("- ").append(line).append('\n'));
    }
    text.append('\n').append(sections);
    if (disturbed()) {
      MarkdownTable table = new MarkdownTable("served run", "other processes on the model core");
      interference.forEach((run, share) -> table.row(run, share + "%"));
      text.append("\n## Other processes on the model core\n\nBusy time of the model core less"
          + " the CPU time of the server's threads bound to it, over each served run (warm-up"
          + " included), from `/proc/stat` and `/proc/<pid>/task`.\n\n").append(table);
    }
    return text.append('\n').append(SOAK).toString();
  }

  private String emptyRpc() throws IOException {
    StringBuilder text = new StringBuilder("## 1. Empty RPC ceiling and a tiny model\n\n"
        + "`ServerLive` (no model) against `tiny` (Add and Sub of two FP32 rows of 16: 128 bytes"
        + " in, 128 out; batching off), closed loop, sync mode, the two interleaved per level.\n\n");
    MarkdownTable table = new MarkdownTable("concurrency", "ServerLive calls/s", "tiny infer/s",
        "tiny / ServerLive", "ServerLive p50", "tiny p50", "tiny p99", "server CPU µs per call:"
            + " ServerLive", "tiny", "generator cores used: ServerLive", "tiny");
    Optional<SuiteFigures> bestLive = Optional.empty();
    Optional<SuiteFigures> bestTiny = Optional.empty();
    double bestLiveCapacity = 0;
    double bestTinyCapacity = 0;
    for (int c : CONCURRENCY_TINY) {
      Optional<SuiteFigures> live = figures("live_c" + c);
      Optional<SuiteFigures> tiny = figures("tiny_c" + c);
      bestLive = faster(bestLive, live);
      bestTiny = faster(bestTiny, tiny);
      table.row(Integer.toString(c), tp(live), tp(tiny),
          ratio(tiny, live), n(live, SuiteFigures::p50), n(tiny, SuiteFigures::p50),
          n(tiny, SuiteFigures::p99), n1(live, SuiteFigures::cpuPerInference),
          n1(tiny, SuiteFigures::cpuPerInference), n2(live, SuiteFigures::clientCores),
          n2(tiny, SuiteFigures::clientCores));
      bestLiveCapacity = Math.max(bestLiveCapacity, live.map(SuiteFigures::perCpuSecond).orElse(0.0));
      bestTinyCapacity = Math.max(bestTinyCapacity, tiny.map(SuiteFigures::perCpuSecond).orElse(0.0));
    }
    double tinyRate = bestTiny.map(SuiteFigures::throughput).orElse(0.0);
    double liveRate = bestLive.map(SuiteFigures::throughput).orElse(0.0);
    boolean generatorBound = bestTiny.map(f -> f.clientCores() >= GENERATOR_BOUND).orElse(false)
        && bestLive.map(f -> f.clientCores() >= GENERATOR_BOUND).orElse(false);
    String goal = goal("Tiny-model throughput ≥ " + TINY_GOAL + " × the empty-RPC ceiling",
        tinyRate, liveRate, TINY_GOAL, "best tiny " + fixed(tinyRate, 0)
            + " infer/s against the best ServerLive " + fixed(liveRate, 0) + " calls/s"
            + (generatorBound ? "; the load generator used a full core in both, so this compares"
                + " the generator's limits as much as the server's" : ""));
    String capacity = "Per second of server CPU (the server's capacity when it is the bottleneck):"
        + " ServerLive " + fixed(bestLiveCapacity, 0) + " calls, tiny " + fixed(bestTinyCapacity, 0)
        + " inferences, ratio " + fixed(bestLiveCapacity > 0 ? bestTinyCapacity / bestLiveCapacity
            : Double.NaN, 2) + ". A generator near 1.00 core was the bottleneck of its run.";
    return text.append(table).append('\n').append(goal).append("\n\n").append(capacity)
        .append("\n\n").toString();
  }

  private String slowModel() throws IOException {
    StringBuilder text = new StringBuilder("## 2. A model of several milliseconds: served against"
        + " in-process\n\n`slow` (MLP 2048→4096→4096→10, FP32, batching off, one instance) over"
        + " gRPC against the same model called through the backend SPI in one process. The load"
        + " generator of the served runs compiles with C1 only (`-XX:TieredStopAtLevel=1`): at"
        + " this rate its C2 compiler would still be busy, on the core of the server's transport,"
        + " long after the warm-up.\n\n");
    MarkdownTable table = new MarkdownTable("concurrency", "served infer/s", "in-process infer/s",
        "served / in-process", "served p50", "in-process p50", "served p99", "in-process p99",
        "server queue", "server compute infer");
    double worst = Double.MAX_VALUE;
    for (int c : CONCURRENCY_SLOW) {
      Optional<SuiteFigures> served = figures("slow_served_c" + c);
      Optional<SuiteFigures> local = figures("slow_inprocess_c" + c);
      worst = Math.min(worst, ratioValue(served, local));
      table.row(Integer.toString(c), tp(served), tp(local), ratio(served, local), n(served, SuiteFigures::p50),
          n(local, SuiteFigures::p50), n(served, SuiteFigures::p99), n(local, SuiteFigures::p99),
          n(served, SuiteFigures::queue), n(served, SuiteFigures::computeInfer));
    }
    String goal = goal("Served ≥ " + SLOW_GOAL + " × in-process for a model of ≥ 5 ms", worst, 1,
        SLOW_GOAL, "the lowest ratio over concurrency 1 and 2 is " + fixed(worst, 2));
    return text.append(table).append('\n').append(goal).append("\n\n").toString();
  }

  private String batching() throws IOException {
    StringBuilder text = new StringBuilder("## 3. Dynamic batching of a compute-bound MLP\n\n"
        + "MLP 512→2048→2048→10, FP32. In-process: one thread calling the backend with batches of"
        + " 1 to 16. Served: 16 batch-1 requests kept outstanding (async mode) to `mlp_batched` (dynamic"
        + " batching, max_batch_size " + BenchModels.MLP_MAX_BATCH + ", max_queue_delay "
        + BenchModels.MLP_QUEUE_DELAY_MICROS + " µs) and to `mlp_unbatched` (the same model, no"
        + " dynamic batching).\n\n");
    MarkdownTable curve = new MarkdownTable("in-process batch", "requests/s", "infer/s",
        "latency avg", "infer/s over batch 1");
    NavigableMap<Integer, Double> perBatch = new TreeMap<>();
    NavigableMap<Integer, Double> latencies = new TreeMap<>();
    Optional<SuiteFigures> one = figures("mlp_inprocess_b1");
    for (int b : CURVE) {
      Optional<SuiteFigures> local = figures("mlp_inprocess_b" + b);
      local.ifPresent(f -> perBatch.put(b, f.throughput()));
      local.ifPresent(f -> latencies.put(b, f.avg()));
      curve.row(Integer.toString(b), n(local, f -> f.throughput() / b), tp(local), n(local, SuiteFigures::avg), ratio(local, one));
    }
    MarkdownTable rounds = new MarkdownTable("round", "in-process batch " + FULL_BATCH
        + " infer/s", "in-process batch latency", "in-process batch p99", "served infer/s",
        "served / in-process",
        "served p99", "p99 bound", "two in-process batches back to back p99", "average batch",
        "most frequent batch",
        "server CPU µs per infer");
    List<Round> measured = new ArrayList<>();
    for (int r = 1; r <= BATCHING_ROUNDS; r++) {
      Optional<SuiteFigures> local = figures("mlp_pair_inprocess_r" + r);
      Optional<SuiteFigures> on = figures("mlp_pair_served_r" + r);
      if (local.isPresent() && on.isPresent()) {
        measured.add(new Round(r, local.get(), on.get()));
      }
      rounds.row(Integer.toString(r), tp(local), n(local, SuiteFigures::avg),
          n(local, SuiteFigures::p99), tp(on),
          ratio(on, local), n(on, SuiteFigures::p99),
          n(local, f -> BenchModels.MLP_QUEUE_DELAY_MICROS + 2 * f.avg()),
          n(local, SuiteFigures::backToBackP99),
          n1(on, SuiteFigures::averageBatch),
          on.map(f -> Long.toString(f.dominantBatch())).orElse("not measured"),
          n1(on, SuiteFigures::cpuPerInference));
    }
    Optional<Round> median = measured.stream()
        .sorted(java.util.Comparator.comparingDouble(Round::ratio))
        .skip(measured.size() / 2).findFirst();
    Optional<SuiteFigures> on = median.map(Round::served);
    Optional<SuiteFigures> off = figures("mlp_batching_off");
    MarkdownTable served = new MarkdownTable("served, 16 clients", "infer/s", "p50", "p99",
        "average batch", "most frequent batch", "server queue", "server compute infer",
        "server CPU µs per infer");
    served.row("dynamic batching on (median round)", tp(on), n(on, SuiteFigures::p50),
        n(on, SuiteFigures::p99), n1(on, SuiteFigures::averageBatch),
        on.map(f -> Long.toString(f.dominantBatch())).orElse("not measured"),
        n(on, SuiteFigures::queue), n(on, SuiteFigures::computeInfer),
        n1(on, SuiteFigures::cpuPerInference));
    served.row("dynamic batching off", tp(off), n(off, SuiteFigures::p50),
        n(off, SuiteFigures::p99), n1(off, SuiteFigures::averageBatch),
        off.map(f -> Long.toString(f.dominantBatch())).orElse("not measured"),
        n(off, SuiteFigures::queue), n(off, SuiteFigures::computeInfer),
        n1(off, SuiteFigures::cpuPerInference));
    text.append(curve).append('\n');
    text.append("Paired rounds: each round measures the model in-process at the full batch ("
        + FULL_BATCH + ") and then the server with dynamic batching on, back to back, so that both"
        + " sides of a ratio see the same state of the shared machine. The goals use the round of"
        + " median ratio.\n\n").append(rounds).append('\n').append(served).append('\n');
    text.append(goal("Batching on ≥ " + BATCHING_GAIN_GOAL + " × batching off",
        on.map(SuiteFigures::throughput).orElse(0.0), off.map(SuiteFigures::throughput).orElse(0.0),
        BATCHING_GAIN_GOAL, "ratio " + ratio(on, off))).append("\n\n");
    long formed = on.map(SuiteFigures::dominantBatch).orElse(0L);
    double ceiling = formed == FULL_BATCH
        ? median.map(round -> round.local().throughput()).orElse(0.0)
        : interpolate(perBatch, formed);
    String source = formed == FULL_BATCH ? "in-process at that batch in the same round "
        : "in-process at that batch (from the curve above) ";
    text.append(goal("Batching on ≥ " + BATCHING_EFFICIENCY_GOAL + " × in-process at the batch"
            + " size formed", on.map(SuiteFigures::throughput).orElse(0.0), ceiling,
        BATCHING_EFFICIENCY_GOAL, "batch formed " + formed + " (most frequent in batch_stats);"
            + " " + source + fixed(ceiling, 0) + " infer/s; ratio "
            + fixed(ceiling > 0 ? on.map(SuiteFigures::throughput).orElse(0.0) / ceiling : 0, 2)
            + "; rounds " + measured.stream().map(round -> fixed(round.ratio(), 2)).toList()))
        .append("\n\n");
    double fullBatch = median.map(round -> round.local().avg())
        .orElse(interpolate(latencies, FULL_BATCH));
    double bound = BenchModels.MLP_QUEUE_DELAY_MICROS + 2 * fullBatch;
    double p99 = on.map(SuiteFigures::p99).orElse(Double.NaN);
    text.append(verdict("p99 with batching ≤ max_queue_delay + 2 × in-process time of a full batch",
        on.isPresent() && fullBatch > 0 && p99 <= bound,
        "p99 " + fixed(p99, 0) + " µs against " + BenchModels.MLP_QUEUE_DELAY_MICROS + " + 2 × "
            + fixed(fullBatch, 0) + " = " + fixed(bound, 0) + " µs; in the same round the"
            + " in-process batch time itself had p99 "
            + fixed(median.map(round -> round.local().p99()).orElse(Double.NaN), 0)
            + " µs, and two in-process batches back to back, the latency of a server that adds"
            + " nothing, had p99 "
            + fixed(median.map(round -> round.local().backToBackP99()).orElse(Double.NaN), 0)
            + " µs")).append("\n\n");
    return text.toString();
  }

  /** One paired round of the batching section: in-process at the full batch, then served. */
  private record Round(int number, SuiteFigures local, SuiteFigures served) {
    double ratio() {
      return served.throughput() / local.throughput();
    }
  }

  private String payloads() throws IOException {
    StringBuilder text = new StringBuilder("## 4. Payload size: server CPU per megabyte\n\n"
        + "FP32 identity models, 4 requests outstanding (async mode), zeros; the response carries the same"
        + " bytes back. MB = 10^6 bytes of request payload.\n\n");
    MarkdownTable table = new MarkdownTable("payload in", "infer/s", "MB/s in", "p50", "p99",
        "server CPU µs per request", "server CPU ms per MB in");
    for (String size : PAYLOADS) {
      Optional<SuiteFigures> f = figures("identity_" + size);
      table.row(f.map(x -> x.payloadBytes() + " B").orElse(size), tp(f),
          n1(f, x -> x.throughput() * x.payloadBytes() / 1e6), n(f, SuiteFigures::p50),
          n(f, SuiteFigures::p99), n1(f, SuiteFigures::cpuPerInference),
          n1(f, x -> x.cpuPerInference() / 1000 / (x.payloadBytes() / 1e6)));
    }
    return text.append(table).append('\n').append(copies.strip()).append("\n\n").toString();
  }

  private String streaming() throws IOException {
    StringBuilder text = new StringBuilder("## 5. Unary and streaming on the tiny model\n\n"
        + "`tiny`, async unary calls against one bidirectional stream, the same number of requests"
        + " outstanding.\n\n");
    MarkdownTable table = new MarkdownTable("concurrency", "mode", "infer/s", "p50", "p99",
        "server CPU µs per infer", "infer per server CPU-second", "generator cores used");
    List<String> ratios = new ArrayList<>();
    for (int c : CONCURRENCY_STREAM) {
      for (String mode : List.of("unary", "stream")) {
        Optional<SuiteFigures> f = figures("tiny_" + mode + "_c" + c);
        table.row(Integer.toString(c), mode, tp(f),
            n(f, SuiteFigures::p50), n(f, SuiteFigures::p99), n1(f, SuiteFigures::cpuPerInference),
            n(f, SuiteFigures::perCpuSecond), n2(f, SuiteFigures::clientCores));
      }
      Optional<SuiteFigures> unary = figures("tiny_unary_c" + c);
      Optional<SuiteFigures> stream = figures("tiny_stream_c" + c);
      ratios.add("- Concurrency " + c + ": stream / unary throughput " + ratio(stream, unary)
          + ", per server CPU-second " + fixed(ratioOf(stream, unary, SuiteFigures::perCpuSecond), 2));
    }
    return text.append(table).append('\n').append(String.join("\n", ratios)).append("\n").toString();
  }

  /** The run of higher throughput, of those measured. */
  private static Optional<SuiteFigures> faster(Optional<SuiteFigures> a, Optional<SuiteFigures> b) {
    if (a.isEmpty()) {
      return b;
    }
    return b.isPresent() && b.get().throughput() > a.get().throughput() ? b : a;
  }

  /** Whether other processes used the model core during any served run. */
  private boolean disturbed() {
    return interference.values().stream().anyMatch(share -> share > 0);
  }

  /** Records and returns the verdict on {@code value ≥ goal × reference}. */
  private String goal(String name, double value, double reference, double goal, String detail) {
    boolean measured = reference > 0 && value > 0;
    return verdict(name, measured && value >= goal * reference,
        measured ? detail : "not measured");
  }

  private String verdict(String name, boolean met, String detail) {
    String line = name + ": **" + (met ? "met" : "not met") + "** (" + detail + ")";
    verdicts.add(line);
    return line;
  }

  /** The curve's value at {@code x}, linear between measured points, clamped at its ends. */
  static double interpolate(NavigableMap<Integer, Double> curve, long x) {
    if (curve.isEmpty() || x <= 0) {
      return 0;
    }
    Map.Entry<Integer, Double> low = curve.floorEntry((int) x);
    Map.Entry<Integer, Double> high = curve.ceilingEntry((int) x);
    if (low == null) {
      return high.getValue();
    }
    if (high == null || high.getKey().equals(low.getKey())) {
      return low.getValue();
    }
    double t = (double) (x - low.getKey()) / (high.getKey() - low.getKey());
    return low.getValue() + t * (high.getValue() - low.getValue());
  }

  private Optional<SuiteFigures> figures(String name) throws IOException {
    return SuiteFigures.read(runs, name);
  }

  /** Throughput, marked {@value #UNSTABLE} when the level did not stabilise. */
  private static String tp(Optional<SuiteFigures> f) {
    return n(f, SuiteFigures::throughput) + (f.isPresent() && !f.get().stable() ? UNSTABLE : "");
  }

  private static String n(Optional<SuiteFigures> f, ToDoubleFunction<SuiteFigures> value) {
    return f.map(x -> fixed(value.applyAsDouble(x), 0)).orElse("not measured");
  }

  private static String n1(Optional<SuiteFigures> f, ToDoubleFunction<SuiteFigures> value) {
    return f.map(x -> fixed(value.applyAsDouble(x), 1)).orElse("not measured");
  }

  private static String n2(Optional<SuiteFigures> f, ToDoubleFunction<SuiteFigures> value) {
    return f.map(x -> fixed(value.applyAsDouble(x), 2)).orElse("not measured");
  }

  private static String ratio(Optional<SuiteFigures> a, Optional<SuiteFigures> b) {
    double value = ratioValue(a, b);
    return Double.isNaN(value) ? "not measured" : fixed(value, 2);
  }

  private static double ratioValue(Optional<SuiteFigures> a, Optional<SuiteFigures> b) {
    return ratioOf(a, b, SuiteFigures::throughput);
  }

  private static double ratioOf(Optional<SuiteFigures> a, Optional<SuiteFigures> b,
      ToDoubleFunction<SuiteFigures> value) {
    if (a.isEmpty() || b.isEmpty() || value.applyAsDouble(b.get()) == 0) {
      return Double.NaN;
    }
    return value.applyAsDouble(a.get()) / value.applyAsDouble(b.get());
  }

  private static String fixed(double value, int decimals) {
    return Double.isNaN(value) || Double.isInfinite(value)
        ? "n/a"
        : String.format(Locale.ROOT, "%,." + decimals + "f", value);
  }
}
