package dev.gantry.bench;

import dev.gantry.bench.report.CsvReport;
import dev.gantry.bench.report.HtmlReport;
import dev.gantry.bench.report.JsonReport;
import dev.gantry.bench.report.TableReport;
import dev.gantry.bench.soak.SoakCommand;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code gantry bench} command: measures the throughput and latency of a model served by any
 * Open Inference Protocol server, its inferences sent over gRPC or HTTP/REST (or the model loaded
 * in-process through the backend SPI), over a range of load levels, the way Triton's perf_analyzer
 * does, and reports them as a table, CSV, JSON and a self-contained HTML page.
 *
 * <p>Exit status: 0 when every level ran within {@code --max-error-rate}; 1 when a level's error
 * rate exceeded it; 2 for a bad command line; 3 when the run could not start (target unreachable,
 * model not ready or not loadable, input data not fitting the model, a report not writable); 4
 * when {@code --max-duration} ended the run before every level was measured.
 */
@Command(
    name = "gantry bench",
    mixinStandardHelpOptions = true,
    versionProvider = BenchMain.Version.class,
    sortOptions = false,
    subcommands = SoakCommand.class,
    description = "Measures throughput and latency of a model on an Open Inference Protocol "
        + "(KServe v2) server over gRPC or HTTP, or in-process through Gantry's backend SPI.")
public final class BenchMain implements Callable<Integer> {
  static final int EXIT_OK = 0;
  static final int EXIT_ERRORS = 1;
  static final int EXIT_SETUP = 3;
  static final int EXIT_INCOMPLETE = 4;

  /** What {@code --rpc} calls. */
  enum Rpc { INFER, LIVE }

  /** What carries the inferences ({@code -i}). */
  enum Protocol { GRPC, HTTP }

  /** How {@code --request-rate-range} spaces requests. */
  enum Distribution { CONSTANT, POISSON }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = {"-u", "--url"}, defaultValue = "localhost:8001", paramLabel = "HOST:PORT",
      description = "The server's gRPC address (default: ${DEFAULT-VALUE}).")
  String url;

  @Option(names = {"-i", "--protocol"}, defaultValue = "grpc", paramLabel = "grpc|http",
      description = "grpc: ModelInfer on --url; http: POST /v2/models/MODEL/infer on --http-url "
          + "with binary tensor data, the model's metadata and statistics still over gRPC "
          + "(default: ${DEFAULT-VALUE}).")
  Protocol protocol;

  @Option(names = "--http-url", defaultValue = "localhost:8000", paramLabel = "HOST:PORT",
      description = "With -i http, the server's HTTP/REST address (default: ${DEFAULT-VALUE}).")
  String httpUrl;

  @Option(names = {"-m", "--model-name"}, paramLabel = "MODEL", description = "The model to load.")
  String model;

  @Option(names = {"-x", "--model-version"}, defaultValue = "", paramLabel = "VERSION",
      description = "The model version (default: the server's choice; in-process, the highest).")
  String version;

  @Option(names = "--ssl", description = "Connect with TLS, trusting the system's authorities.")
  boolean ssl;

  @Option(names = "--ssl-ca", paramLabel = "FILE",
      description = "Connect with TLS, trusting the authorities in this PEM file.")
  Path sslCa;

  @Option(names = "--ssl-cert", paramLabel = "FILE",
      description = "Mutual TLS: the client's certificate chain (PEM); needs --ssl-key.")
  Path sslCert;

  @Option(names = "--ssl-key", paramLabel = "FILE",
      description = "Mutual TLS: the client's private key (PKCS#8 PEM).")
  Path sslKey;

  @Option(names = {"-b", "--batch-size"}, defaultValue = "1", paramLabel = "N",
      description = "Items per request, prepended as the batch dimension when the model batches "
          + "(default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--shape", paramLabel = "NAME:D1,D2,...",
      description = "Sizes of an input's variable dimensions, without the batch dimension; repeat "
          + "per input.")
  List<String> shapes = new ArrayList<>();

  @Option(names = "--input-data", defaultValue = "random", paramLabel = "zero|random|FILE.json",
      description = "Input values: zeros, random values, or a JSON file "
          + "{\"data\":[{\"INPUT0\":[...]}, ...]} used round-robin (default: ${DEFAULT-VALUE}).")
  String inputData;

  @Option(names = "--string-length", defaultValue = "128", paramLabel = "N",
      description = "Length of generated BYTES elements (default: ${DEFAULT-VALUE}).")
  int stringLength;

  @Option(names = "--concurrency-range", paramLabel = "START[:END[:STEP]]",
      description = "Closed loop: keep this many requests outstanding (default: 1).")
  String concurrencyRange;

  @Option(names = "--request-rate-range", paramLabel = "START[:END[:STEP]]",
      description = "Open loop: send this many requests per second, whatever the answers take.")
  String requestRateRange;

  @Option(names = "--request-distribution", defaultValue = "constant",
      paramLabel = "constant|poisson",
      description = "Spacing of open-loop requests (default: ${DEFAULT-VALUE}).")
  Distribution distribution;

  @Option(names = "--mode", defaultValue = "sync", paramLabel = "sync|async|stream",
      description = "sync: a thread per outstanding request; async: inferAsync (with -i http, "
          + "sendAsync); stream: one bidirectional stream (default: ${DEFAULT-VALUE}).")
  Mode mode;

  @Option(names = "--rpc", defaultValue = "infer", paramLabel = "infer|live",
      description = "infer: ModelInfer; live: ServerLive, the empty-RPC ceiling, sync mode only "
          + "(default: ${DEFAULT-VALUE}).")
  Rpc rpc;

  @Option(names = {"-p", "--measurement-interval"}, defaultValue = "5000", paramLabel = "MS",
      description = "Length of a measurement window in milliseconds (default: ${DEFAULT-VALUE}).")
  long intervalMillis;

  @Option(names = "--measurement-request-count", defaultValue = "0", paramLabel = "N",
      description = "Measure windows of N requests instead of a fixed time (each at most 10 "
          + "intervals long).")
  long requestCount;

  @Option(names = {"-s", "--stability-percentage"}, defaultValue = "10", paramLabel = "PCT",
      description = "How closely the last 3 windows must agree (default: ${DEFAULT-VALUE}).")
  double stabilityPercentage;

  @Option(names = "--percentile", paramLabel = "50|90|95|99",
      description = "Judge stability on this latency percentile (default: the mean).")
  Integer percentile;

  @Option(names = "--max-trials", defaultValue = "10", paramLabel = "N",
      description = "Most windows per load level (default: ${DEFAULT-VALUE}).")
  int maxTrials;

  @Option(names = "--warmup-requests", paramLabel = "N",
      description = "End each level's warm-up once N requests have completed (default: warm up "
          + "for the whole --warmup-time, so that the JIT has settled).")
  Long warmupRequests;

  @Option(names = "--warmup-time", paramLabel = "MS",
      description = "How long each level warms up, at most (default: one measurement interval).")
  Long warmupMillis;

  @Option(names = "--max-threads", defaultValue = "16", paramLabel = "N",
      description = "Threads sending open-loop requests in sync mode (default: ${DEFAULT-VALUE}).")
  int maxThreads;

  @Option(names = "--max-outstanding", defaultValue = "1024", paramLabel = "N",
      description = "Most open-loop requests in flight in async and stream modes "
          + "(default: ${DEFAULT-VALUE}).")
  int maxOutstanding;

  @Option(names = "--request-timeout", defaultValue = "30000", paramLabel = "MS",
      description = "Deadline of each call in milliseconds (default: ${DEFAULT-VALUE}).")
  long requestTimeoutMillis;

  @Option(names = "--max-error-rate", defaultValue = "0.01", paramLabel = "FRACTION",
      description = "Exit with status 1 when a level's failed requests exceed this fraction "
          + "(default: ${DEFAULT-VALUE}).")
  double maxErrorRate;

  @Option(names = "--max-duration", defaultValue = "600", paramLabel = "SECONDS",
      description = "Hard limit on the whole run (default: ${DEFAULT-VALUE}).")
  long maxDurationSeconds;

  @Option(names = "--server-pid", paramLabel = "PID",
      description = "The server's process on this machine, to report its CPU time per request.")
  Long serverPid;

  @Option(names = {"-f", "--csv"}, paramLabel = "FILE.csv",
      description = "Write perf_analyzer's CSV columns here.")
  Path csv;

  @Option(names = "--json", paramLabel = "FILE.json", description = "Write every figure as JSON.")
  Path json;

  @Option(names = "--report", paramLabel = "FILE.html",
      description = "Write a self-contained HTML report with charts.")
  Path report;

  @Option(names = "--shared-memory", defaultValue = "none", paramLabel = "none|system",
      description = "Pass tensors through system shared memory (/dev/shm) registered with the "
          + "server, which must run on this host, instead of in messages (perf_analyzer's flag).")
  SharedMemory sharedMemory;

  @Option(names = "--output-shared-memory-size", defaultValue = "102400", paramLabel = "BYTES",
      description = "With --shared-memory system, the room each output gets in the region.")
  long outputSharedMemoryBytes;

  @Option(names = "--in-process",
      description = "Load the model through the backend SPI in this process; no server.")
  boolean inProcess;

  @Option(names = "--model-repository", paramLabel = "DIR",
      description = "The repository to load from with --in-process.")
  Path repository;

  private final PrintStream out;
  private final PrintStream err;
  private final boolean terminal;

  BenchMain(PrintStream out, PrintStream err, boolean terminal) {
    this.out = out;
    this.err = err;
    this.terminal = terminal;
  }

  public static void main(String[] args) {
    System.exit(execute(System.out, System.err, System.console() != null, args));
  }

  /** Runs the command with these streams; returns its exit status. */
  static int execute(PrintStream out, PrintStream err, boolean terminal, String... args) {
    return commandLine(out, err, terminal).execute(args);
  }

  /** The command line as {@link #main} parses it, writing to these streams. */
  static CommandLine commandLine(PrintStream out, PrintStream err, boolean terminal) {
    CommandLine command = new CommandLine(new BenchMain(out, err, terminal))
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setOverwrittenOptionsAllowed(true);
    command.setOut(new PrintWriter(out, true));
    command.setErr(new PrintWriter(err, true));
    return command;
  }

  @Override
  public Integer call() {
    List<Level> levels = levels();
    Map<String, long[]> overrides = overrides();
    validate();
    RunLimits limits = new RunLimits(System.nanoTime() + Duration.ofSeconds(maxDurationSeconds).toNanos());
    Duration timeout = Duration.ofMillis(requestTimeoutMillis);
    try {
      if (inProcess) {
        try (LocalSession session = LocalSession.open(repository, model, version)) {
          return infer(session, session.model(), overrides, levels, limits);
        }
      }
      RemoteSession.Tls tls = ssl || sslCa != null || sslCert != null
          ? new RemoteSession.Tls(sslCa, sslCert, sslKey)
          : null;
      try (RemoteSession session = RemoteSession.open(
          url, tls, timeout, Duration.ofSeconds(maxDurationSeconds), serverPid,
          sharedMemory == SharedMemory.SYSTEM ? outputSharedMemoryBytes : null,
          protocol == Protocol.HTTP ? httpUrl : null)) {
        if (rpc == Rpc.LIVE) {
          return measure(session, null, session.liveIssuers(), 0, levels, limits);
        }
        return infer(session, session.model(model, version), overrides, levels, limits);
      }
    } catch (SetupException e) {
      err.println("gantry bench: " + e.getMessage());
      return EXIT_SETUP;
    }
  }

  private int infer(Session session, ModelInfo info, Map<String, long[]> overrides,
      List<Level> levels, RunLimits limits) throws SetupException {
    List<RequestData> data;
    try {
      Map<String, long[]> concrete = ShapeResolver.resolve(info, batchSize, overrides);
      data = switch (inputData) {
        case "zero" -> SyntheticData.zeros(info.inputs(), concrete, stringLength);
        case "random" -> SyntheticData.random(info.inputs(), concrete, stringLength, 1);
        default -> JsonData.read(Path.of(inputData), info, concrete);
      };
    } catch (IllegalArgumentException | IOException e) {
      throw new SetupException(e.getMessage(), e);
    }
    return measure(session, info, session.issuers(mode, info, data), data.get(0).payloadBytes(),
        levels, limits);
  }

  /** The windows, stability and warm-up the options ask for; warm-up by time unless counted. */
  MeasureSettings measureSettings() {
    return new MeasureSettings(intervalMillis, requestCount, stabilityPercentage,
        percentile == null ? 0 : percentile, maxTrials,
        warmupRequests == null ? Long.MAX_VALUE : warmupRequests,
        warmupMillis == null ? intervalMillis : warmupMillis);
  }

  private int measure(Session session, ModelInfo info, Supplier<RequestIssuer> issuers,
      long payloadBytes, List<Level> levels, RunLimits limits) throws SetupException {
    int judged = percentile == null ? 0 : percentile;
    Progress progress = new Progress(err, terminal, judged);
    MeasureSettings settings = measureSettings();
    LevelRunner runner = new LevelRunner(settings, issuers,
        new Drivers(mode, distribution == Distribution.POISSON, maxThreads, maxOutstanding),
        session.stats(info), session.cpu(), progress, limits);
    String started = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).toString();
    Benchmark benchmark = new Benchmark(levels, runner, progress, limits);
    int itemsPerRequest = info == null ? 1 : batchSize;
    List<LevelResult> results = benchmark.run(payloadBytes, itemsPerRequest);
    RunInfo run = new RunInfo(session.target(), session.server(),
        info == null ? "ServerLive" : info.name(), version, mode, itemsPerRequest,
        info == null ? "none" : inputData, judged, started);
    TableReport.print(run, results, out);
    writeReports(run, results);
    for (LevelResult result : results) {
      if (result.errorRate() > maxErrorRate) {
        err.printf(Locale.ROOT, "gantry bench: %.2f%% of the requests failed at %s %s, over "
                + "--max-error-rate %s%n", 100 * result.errorRate(),
            result.level().kind().title().toLowerCase(Locale.ROOT), result.level().formatted(),
            maxErrorRate);
        return EXIT_ERRORS;
      }
    }
    return benchmark.completed() ? EXIT_OK : EXIT_INCOMPLETE;
  }

  private void writeReports(RunInfo run, List<LevelResult> results) throws SetupException {
    try {
      if (csv != null) {
        try (Writer writer = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
          CsvReport.write(results, writer);
        }
      }
      if (json != null) {
        try (Writer writer = Files.newBufferedWriter(json, StandardCharsets.UTF_8)) {
          JsonReport.write(run, results, writer);
        }
      }
      if (report != null) {
        try (Writer writer = Files.newBufferedWriter(report, StandardCharsets.UTF_8)) {
          HtmlReport.write(run, results, writer);
        }
      }
    } catch (IOException e) {
      throw new SetupException("cannot write a report: " + e.getMessage(), e);
    }
  }

  private List<Level> levels() {
    if (concurrencyRange != null && requestRateRange != null) {
      throw usage("give --concurrency-range or --request-rate-range, not both");
    }
    try {
      if (requestRateRange != null) {
        return Range.parse(requestRateRange).values().stream()
            .map(rate -> new Level(Level.Kind.REQUEST_RATE, rate)).toList();
      }
      Range range = Range.parse(concurrencyRange == null ? "1" : concurrencyRange);
      if (range.start() != Math.rint(range.start()) || range.step() != Math.rint(range.step())) {
        throw usage("--concurrency-range takes whole numbers");
      }
      return range.values().stream().map(n -> new Level(Level.Kind.CONCURRENCY, n)).toList();
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
  }

  private Map<String, long[]> overrides() {
    Map<String, long[]> overrides = new LinkedHashMap<>();
    for (String shape : shapes) {
      try {
        ShapeOption option = ShapeOption.parse(shape);
        overrides.put(option.name(), option.dims());
      } catch (IllegalArgumentException e) {
        throw usage("--shape: " + e.getMessage());
      }
    }
    return overrides;
  }

  private void validate() {
    if (protocol == Protocol.HTTP) {
      validateHttp();
    }
    if (rpc == Rpc.INFER && model == null) {
      throw usage("name the model with -m");
    }
    if ((rpc == Rpc.LIVE || inProcess) && mode != Mode.SYNC) {
      throw usage((inProcess ? "--in-process" : "--rpc live") + " runs in --mode sync only");
    }
    if (inProcess && (repository == null || rpc == Rpc.LIVE)) {
      throw usage("--in-process needs --model-repository and --rpc infer");
    }
    if (sharedMemory == SharedMemory.SYSTEM && (inProcess || rpc == Rpc.LIVE)) {
      throw usage("--shared-memory system needs a server and --rpc infer");
    }
    if (outputSharedMemoryBytes < 1) {
      throw usage("--output-shared-memory-size must be at least 1 byte");
    }
    if ((sslCert == null) != (sslKey == null)) {
      throw usage("--ssl-cert and --ssl-key go together");
    }
    if (percentile != null && !List.of(50, 90, 95, 99).contains(percentile)) {
      throw usage("--percentile must be 50, 90, 95 or 99");
    }
    if (intervalMillis < 1 || requestCount < 0 || maxTrials < 1 || maxDurationSeconds < 1
        || requestTimeoutMillis < 1 || (warmupRequests != null && warmupRequests < 0) || stringLength < 0
        || (warmupMillis != null && warmupMillis < 0)
        || maxThreads < 1 || maxOutstanding < 1 || stabilityPercentage <= 0
        || maxErrorRate < 0) {
      throw usage("intervals, counts, limits and timeouts must be positive");
    }
  }

  /** Refuses what {@code -i http} does not do: it sends unary inferences to a server. */
  private void validateHttp() {
    if (inProcess) {
      throw usage("-i http needs a server; it does not go with --in-process");
    }
    if (mode == Mode.STREAM) {
      throw usage("-i http runs in --mode sync or async, not stream");
    }
    if (sharedMemory == SharedMemory.SYSTEM) {
      throw usage("-i http sends tensors in the request body; it does not go with "
          + "--shared-memory system");
    }
    if (rpc != Rpc.INFER) {
      throw usage("-i http sends inferences only; it does not go with --rpc live");
    }
    try {
      HttpEndpoint.address(httpUrl);
    } catch (IllegalArgumentException e) {
      throw usage("--http-url: " + e.getMessage());
    }
  }

  /** Where tensors travel: in messages, or in system shared memory. */
  enum SharedMemory { NONE, SYSTEM }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = BenchMain.class.getPackage().getImplementationVersion();
      return new String[] {"gantry bench " + (version == null ? "development" : version)};
    }
  }
}
