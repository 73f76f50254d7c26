package dev.gantry.bench.report;

import static dev.gantry.bench.report.SuitePlan.BATCHING;
import static dev.gantry.bench.report.SuitePlan.BATCHING_EFFICIENCY;
import static dev.gantry.bench.report.SuitePlan.BATCHING_GAIN;
import static dev.gantry.bench.report.SuitePlan.BATCHING_P99;
import static dev.gantry.bench.report.SuitePlan.BATCHING_ROUNDS;
import static dev.gantry.bench.report.SuitePlan.CONCURRENCY_SLOW;
import static dev.gantry.bench.report.SuitePlan.CONCURRENCY_STREAM;
import static dev.gantry.bench.report.SuitePlan.CONCURRENCY_TINY;
import static dev.gantry.bench.report.SuitePlan.CURVE;
import static dev.gantry.bench.report.SuitePlan.EMPTY_RPC;
import static dev.gantry.bench.report.SuitePlan.FULL_BATCH;
import static dev.gantry.bench.report.SuitePlan.GOAL_PAYLOAD;
import static dev.gantry.bench.report.SuitePlan.PAYLOAD;
import static dev.gantry.bench.report.SuitePlan.PAYLOADS;
import static dev.gantry.bench.report.SuitePlan.PAYLOAD_CPU;
import static dev.gantry.bench.report.SuitePlan.SLOW_MODEL;
import static dev.gantry.bench.report.SuitePlan.SLOW_P50;
import static dev.gantry.bench.report.SuitePlan.SLOW_THROUGHPUT;
import static dev.gantry.bench.report.SuitePlan.STREAMING;
import static dev.gantry.bench.report.SuitePlan.TINY_CAPACITY;
import static dev.gantry.bench.report.SuitePlan.TINY_THROUGHPUT;

import dev.gantry.bench.BenchModels;
import dev.gantry.bench.report.SuitePlan.Goal;
import dev.gantry.bench.report.SuitePlan.Section;
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
  static final String UNSTABLE = " (u)";
  /** A load generator using this share of a core or more limited its run. */
  static final double GENERATOR_BOUND = 0.95;

  private final Path runs;
  private final Properties meta;
  private final List<String> failures;
  private final Map<String, Integer> interference;
  /**
   * The line after which RESULTS.md holds sections measured by hand (failover, HTTP against gRPC,
   * shared memory); a new suite run keeps them as they are.
   */
  static final String KEPT_BELOW =
      "<!-- Sections below are measured by hand; bench/run-suite.sh keeps them as they are. -->";

  /** Where the soak run, which this suite does not repeat, is recorded. */
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
        + " comes from a level whose last 3 windows did not agree within 10%. The load generator"
        + " of every served run compiles with C1 only (`" + SuitePlan.GENERATOR_JVM + "`): a fresh"
        + " generator JVM's C2 compiler would still be at work during the measurement, on the core"
        + " the server's transport uses.\n\n");
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
    StringBuilder text = heading(EMPTY_RPC);
    MarkdownTable table = new MarkdownTable("concurrency", "ServerLive calls/s", "tiny infer/s",
        "echo of tiny infer/s", "tiny / ServerLive", "ServerLive p50", "tiny p50", "tiny p99",
        "server CPU µs per call: ServerLive", "tiny", "echo of tiny",
        "generator cores used: ServerLive", "tiny",
        "tiny / ServerLive for a server adding nothing");
    Optional<SuiteFigures> bestLive = Optional.empty();
    Optional<SuiteFigures> bestTiny = Optional.empty();
    Optional<SuiteFigures> bestEcho = Optional.empty();
    double bestLiveCapacity = 0;
    double bestTinyCapacity = 0;
    double bestEchoCapacity = 0;
    double bestFloor = 0;
    for (int c : CONCURRENCY_TINY) {
      Optional<SuiteFigures> live = figures(SuitePlan.live(c));
      Optional<SuiteFigures> tiny = figures(SuitePlan.tiny(c));
      Optional<SuiteFigures> echo = figures(SuitePlan.tinyEcho(c));
      bestLive = faster(bestLive, live);
      bestTiny = faster(bestTiny, tiny);
      bestEcho = faster(bestEcho, echo);
      table.row(Integer.toString(c), tp(live), tp(tiny), tp(echo),
          ratio(tiny, live), n(live, SuiteFigures::p50), n(tiny, SuiteFigures::p50),
          n(tiny, SuiteFigures::p99), n1(live, SuiteFigures::cpuPerInference),
          n1(tiny, SuiteFigures::cpuPerInference), n1(echo, SuiteFigures::cpuPerInference),
          n2(live, SuiteFigures::clientCores),
          n2(tiny, SuiteFigures::clientCores), fixed(sharedCoreCeiling(live, tiny), 2));
      bestFloor = Math.max(bestFloor, nanToZero(sharedCoreCeiling(live, tiny)));
      bestLiveCapacity = Math.max(bestLiveCapacity, live.map(SuiteFigures::perCpuSecond).orElse(0.0));
      bestTinyCapacity = Math.max(bestTinyCapacity, tiny.map(SuiteFigures::perCpuSecond).orElse(0.0));
      bestEchoCapacity = Math.max(bestEchoCapacity, echo.map(SuiteFigures::perCpuSecond).orElse(0.0));
    }
    Optional<SuiteFigures> model = figures(SuitePlan.TINY_IN_PROCESS);
    double modelCpu = model.map(SuiteFigures::cpuPerInference).orElse(Double.NaN);
    double echoRate = bestEcho.map(SuiteFigures::throughput).orElse(Double.NaN);
    double echoWithModelRate = bestEcho.map(echo -> withModelOnSharedCore(echo, modelCpu))
        .orElse(Double.NaN);
    double tinyRate = bestTiny.map(SuiteFigures::throughput).orElse(0.0);
    double liveRate = bestLive.map(SuiteFigures::throughput).orElse(0.0);
    boolean generatorBound = bestTiny.map(f -> f.clientCores() >= GENERATOR_BOUND).orElse(false)
        && bestLive.map(f -> f.clientCores() >= GENERATOR_BOUND).orElse(false);
    String goal = goal(TINY_THROUGHPUT, tinyRate, liveRate, "best tiny " + fixed(tinyRate, 0)
            + " infer/s against the best ServerLive " + fixed(liveRate, 0) + " calls/s"
            + (generatorBound ? "; the load generator used a full core in both, so this compares"
                + " the generator's limits as much as the server's" : "")
            + "; a server adding nothing to ServerLive would reach at most " + fixed(bestFloor, 2)
            + " (last column); a grpc-java server echoing the tiny messages and running no model"
            + " reached at best " + fixed(echoRate, 0) + " infer/s, "
            + fixed(liveRate > 0 ? echoRate / liveRate : Double.NaN, 2) + " of it, and with the"
            + " model's own " + fixed(modelCpu, 1) + " µs per call added on the core it shares"
            + " with the load generator, where Gantry runs the tiny model on arrival, "
            + fixed(liveRate > 0 ? echoWithModelRate / liveRate : Double.NaN, 2));
    double liveCpu = bestLiveCapacity > 0 ? 1e6 / bestLiveCapacity : Double.NaN;
    double echoCpu = bestEchoCapacity > 0 ? 1e6 / bestEchoCapacity : Double.NaN;
    String capacity = goal(TINY_CAPACITY, bestTinyCapacity, bestLiveCapacity, "per second of"
        + " server CPU, the server's capacity when it is the bottleneck: ServerLive "
        + fixed(bestLiveCapacity, 0) + " calls, tiny " + fixed(bestTinyCapacity, 0)
        + " inferences, ratio " + fixed(bestLiveCapacity > 0 ? bestTinyCapacity / bestLiveCapacity
            : Double.NaN, 2) + ", best of each over the concurrencies; the model alone takes "
        + fixed(modelCpu, 1) + " µs of CPU per call in-process, and a grpc-java server echoing"
        + " the tiny messages took " + fixed(echoCpu, 1) + " µs per call at its best, so a server"
        + " adding nothing to the transport but the model would reach "
        + fixed(liveCpu / (echoCpu + modelCpu), 2) + " (" + fixed(liveCpu / (liveCpu + modelCpu), 2)
        + " were the tiny messages to cost the transport no more than ServerLive's "
        + fixed(liveCpu, 1) + " µs)");
    return text.append(table).append('\n').append(goal).append("\n\n").append(capacity)
        .append("\n\nA generator near 1.00 core was the bottleneck of its run. The last column is"
            + " what a server adding nothing to ServerLive could reach when the core the load"
            + " generator shares with the server's transport limits both runs: (generator CPU per"
            + " ServerLive call + server CPU per ServerLive call) / (generator CPU per tiny"
            + " inference + server CPU per ServerLive call). The tiny requests and responses cost"
            + " the generator itself more than the empty calls do.\n\n").toString();
  }

  /**
   * The tiny/ServerLive ratio a server adding nothing to ServerLive would reach when the core
   * shared by the load generator and the server's transport limits both runs; NaN unmeasured.
   */
  private static double sharedCoreCeiling(Optional<SuiteFigures> live, Optional<SuiteFigures> tiny) {
    if (live.isEmpty() || tiny.isEmpty()) {
      return Double.NaN;
    }
    double liveCall = live.get().clientCpuPerInference() + live.get().cpuPerInference();
    return liveCall / (tiny.get().clientCpuPerInference() + live.get().cpuPerInference());
  }

  /**
   * The rate the echo run would have reached had each call also computed the model, taking
   * {@code modelCpu} µs more of the core the echo shares with the load generator: that core's
   * time per call (generator and echo) grows by the model's time.
   */
  private static double withModelOnSharedCore(SuiteFigures echo, double modelCpu) {
    double sharedCoreCall = echo.clientCpuPerInference() + echo.cpuPerInference();
    return echo.throughput() * sharedCoreCall / (sharedCoreCall + modelCpu);
  }

  private static double nanToZero(double value) {
    return Double.isNaN(value) ? 0 : value;
  }

  private String slowModel() throws IOException {
    StringBuilder text = heading(SLOW_MODEL);
    MarkdownTable table = new MarkdownTable("concurrency", "served infer/s", "in-process infer/s",
        "served / in-process", "served p50", "in-process p50", "served p99", "in-process p99",
        "server queue", "server compute infer");
    double worst = Double.MAX_VALUE;
    double widestGap = -Double.MAX_VALUE;
    for (int c : CONCURRENCY_SLOW) {
      Optional<SuiteFigures> served = figures(SuitePlan.slowServed(c));
      Optional<SuiteFigures> local = figures(SuitePlan.slowInProcess(c));
      worst = Math.min(worst, ratioValue(served, local));
      widestGap = Math.max(widestGap, served.isPresent() && local.isPresent()
          ? served.get().p50() - local.get().p50() : Double.NaN);
      table.row(Integer.toString(c), tp(served), tp(local), ratio(served, local), n(served, SuiteFigures::p50),
          n(local, SuiteFigures::p50), n(served, SuiteFigures::p99), n(local, SuiteFigures::p99),
          n(served, SuiteFigures::queue), n(served, SuiteFigures::computeInfer));
    }
    Optional<SuiteFigures> paced = figures(SuitePlan.LIVE_PACED);
    Optional<SuiteFigures> alone = figures(SuitePlan.slowInProcess(1));
    double roundTrip = paced.map(SuiteFigures::avg).orElse(Double.NaN);
    double pacedP50 = paced.map(SuiteFigures::p50).orElse(Double.NaN);
    double floor = alone.map(f -> f.avg() / (f.avg() + roundTrip)).orElse(Double.NaN);
    String pacedNote = "; ServerLive at one call every 5 ms took " + fixed(pacedP50, 0)
        + " µs p50 and " + fixed(roundTrip, 0) + " µs on average";
    String goal = goal(SLOW_THROUGHPUT, worst, 1,
        "the lowest ratio over concurrency 1 and 2 is " + fixed(worst, 2) + pacedNote
            + ", so at concurrency 1, where every call waits for one such trip, a server adding"
            + " nothing to the transport would reach at most " + fixed(floor, 2));
    String p50 = verdict(SLOW_P50, !Double.isNaN(widestGap) && widestGap <= SLOW_P50.bound(),
        Double.isNaN(widestGap) ? "not measured" : "the widest gap over concurrency 1 and 2 is "
            + fixed(widestGap, 0) + " µs" + pacedNote + ", the gap of a server adding nothing to"
            + " the transport");
    return text.append(table).append('\n').append(goal).append("\n\n").append(p50)
        .append("\n\n").toString();
  }

  private String batching() throws IOException {
    StringBuilder text = heading(BATCHING);
    MarkdownTable curve = new MarkdownTable("in-process batch", "requests/s", "infer/s",
        "latency avg", "infer/s over batch 1");
    NavigableMap<Integer, Double> perBatch = new TreeMap<>();
    NavigableMap<Integer, Double> latencies = new TreeMap<>();
    Optional<SuiteFigures> one = figures(SuitePlan.mlpInProcess(1));
    for (int b : CURVE) {
      Optional<SuiteFigures> local = figures(SuitePlan.mlpInProcess(b));
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
      Optional<SuiteFigures> local = figures(SuitePlan.mlpPairInProcess(r));
      Optional<SuiteFigures> on = figures(SuitePlan.mlpPairServed(r));
      if (local.isPresent() && on.isPresent()) {
        measured.add(new Round(r, local.get(), on.get()));
      }
      rounds.row(Integer.toString(r), tp(local), n(local, SuiteFigures::avg),
          n(local, SuiteFigures::p99), tp(on),
          ratio(on, local), n(on, SuiteFigures::p99),
          n(local, f -> BenchModels.MLP_QUEUE_DELAY_MICROS + BATCHING_P99.bound() * f.avg()),
          n(local, SuiteFigures::backToBackP99),
          n1(on, SuiteFigures::averageBatch),
          on.map(f -> Long.toString(f.dominantBatch())).orElse("not measured"),
          n1(on, SuiteFigures::cpuPerInference));
    }
    Optional<Round> median = measured.stream()
        .sorted(java.util.Comparator.comparingDouble(Round::ratio))
        .skip(measured.size() / 2).findFirst();
    Optional<SuiteFigures> on = median.map(Round::served);
    Optional<SuiteFigures> off = figures(SuitePlan.MLP_BATCHING_OFF);
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
    text.append(goal(BATCHING_GAIN, on.map(SuiteFigures::throughput).orElse(0.0),
        off.map(SuiteFigures::throughput).orElse(0.0), "ratio " + ratio(on, off))).append("\n\n");
    long formed = on.map(SuiteFigures::dominantBatch).orElse(0L);
    double ceiling = formed == FULL_BATCH
        ? median.map(round -> round.local().throughput()).orElse(0.0)
        : interpolate(perBatch, formed);
    String source = formed == FULL_BATCH ? "in-process at that batch in the same round "
        : "in-process at that batch (from the curve above) ";
    text.append(goal(BATCHING_EFFICIENCY, on.map(SuiteFigures::throughput).orElse(0.0), ceiling,
        "batch formed " + formed + " (most frequent in batch_stats);"
            + " " + source + fixed(ceiling, 0) + " infer/s; ratio "
            + fixed(ceiling > 0 ? on.map(SuiteFigures::throughput).orElse(0.0) / ceiling : 0, 2)
            + "; rounds " + measured.stream().map(round -> fixed(round.ratio(), 2)).toList()))
        .append("\n\n");
    double fullBatch = median.map(round -> round.local().avg())
        .orElse(interpolate(latencies, FULL_BATCH));
    double bound = BenchModels.MLP_QUEUE_DELAY_MICROS + BATCHING_P99.bound() * fullBatch;
    double p99 = on.map(SuiteFigures::p99).orElse(Double.NaN);
    text.append(verdict(BATCHING_P99, on.isPresent() && fullBatch > 0 && p99 <= bound,
        "p99 " + fixed(p99, 0) + " µs against " + BenchModels.MLP_QUEUE_DELAY_MICROS + " + "
            + fixed(BATCHING_P99.bound(), 0) + " × "
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
    StringBuilder text = heading(PAYLOAD);
    MarkdownTable table = new MarkdownTable("payload in", "infer/s", "MB/s in", "p50", "p99",
        "server CPU µs per request", "server CPU ms per MB in", "echo infer/s",
        "echo CPU ms per MB in", "Gantry / echo CPU per MB");
    for (int size : PAYLOADS) {
      Optional<SuiteFigures> f = figures(SuitePlan.identity(size));
      Optional<SuiteFigures> echo = figures(SuitePlan.identityEcho(size));
      table.row(f.map(x -> x.payloadBytes() + " B").orElse(size + " KiB"), tp(f),
          n1(f, x -> x.throughput() * x.payloadBytes() / 1e6), n(f, SuiteFigures::p50),
          n(f, SuiteFigures::p99), n1(f, SuiteFigures::cpuPerInference),
          n2(f, SuiteFigures::cpuMillisPerMegabyte), tp(echo),
          n2(echo, SuiteFigures::cpuMillisPerMegabyte),
          f.isPresent() && echo.isPresent()
              ? fixed(f.get().cpuMillisPerMegabyte() / echo.get().cpuMillisPerMegabyte(), 2)
              : "n/a");
    }
    Optional<SuiteFigures> judged = figures(SuitePlan.identity(GOAL_PAYLOAD));
    double perMegabyte = judged.map(SuiteFigures::cpuMillisPerMegabyte).orElse(Double.NaN);
    double floor = figures(SuitePlan.identityEcho(GOAL_PAYLOAD))
        .map(SuiteFigures::cpuMillisPerMegabyte).orElse(Double.NaN);
    String goal = verdict(PAYLOAD_CPU, perMegabyte <= PAYLOAD_CPU.bound(),
        Double.isNaN(perMegabyte) ? "not measured" : fixed(perMegabyte, 2) + " ms per MB; a"
            + " grpc-java server parsing as Gantry does, echoing the same messages and doing"
            + " nothing else used " + fixed(floor, 2) + " ms per MB in the same run, the"
            + " transport's share");
    return text.append(table).append('\n').append(goal).append("\n\n").append(copies.strip())
        .append("\n\n").toString();
  }

  private String streaming() throws IOException {
    StringBuilder text = heading(STREAMING);
    MarkdownTable table = new MarkdownTable("concurrency", "mode", "infer/s", "p50", "p99",
        "server CPU µs per infer", "infer per server CPU-second", "generator cores used");
    List<String> ratios = new ArrayList<>();
    for (int c : CONCURRENCY_STREAM) {
      for (String mode : List.of("unary", "stream")) {
        Optional<SuiteFigures> f = figures(SuitePlan.tinyMode(mode, c));
        table.row(Integer.toString(c), mode, tp(f),
            n(f, SuiteFigures::p50), n(f, SuiteFigures::p99), n1(f, SuiteFigures::cpuPerInference),
            n(f, SuiteFigures::perCpuSecond), n2(f, SuiteFigures::clientCores));
      }
      Optional<SuiteFigures> unary = figures(SuitePlan.tinyMode("unary", c));
      Optional<SuiteFigures> stream = figures(SuitePlan.tinyMode("stream", c));
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

  /** A section's heading and what it measures, from the suite's plan. */
  private static StringBuilder heading(Section section) {
    return new StringBuilder("## ").append(section.title()).append("\n\n")
        .append(section.description()).append("\n\n");
  }

  /** Records and returns the verdict on {@code value ≥ bound × reference}. */
  private String goal(Goal goal, double value, double reference, String detail) {
    boolean measured = reference > 0 && value > 0;
    return verdict(goal, measured && value >= goal.bound() * reference,
        measured ? detail : "not measured");
  }

  private String verdict(Goal goal, boolean met, String detail) {
    String line = goal.statement() + ": **" + (met ? "met" : "not met") + "** (" + detail + ")";
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
