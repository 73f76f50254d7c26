package dev.gantry.server;

import dev.gantry.server.config.HostPolicies;
import dev.gantry.server.http.HttpOptions;
import dev.gantry.server.metrics.MetricNames;
import dev.gantry.server.model.ModelControlMode;
import dev.gantry.server.security.AccessTokens;
import dev.gantry.server.security.SecurityOptions;
import dev.gantry.server.security.TlsContext;
import dev.gantry.server.transport.ConnectionLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code gantry} command line. {@code gantry serve --model-repository DIR} starts the server
 * and keeps it running until SIGTERM or SIGINT, on which it drains and exits 0: the shutdown hook
 * halts with status 0 once the drain is done, since a JVM ended by a signal would otherwise
 * report 143.
 */
@Command(
    name = "gantry",
    mixinStandardHelpOptions = true,
    description = "A model-inference server speaking the Open Inference Protocol over gRPC.",
    subcommands = {Main.Serve.class})
public final class Main implements Runnable {
  /**
   * The distribution's logging configuration, named so that it is not logback's default {@code
   * logback.xml}: an application embedding the server with logback keeps its own configuration.
   * {@code -Dlogback.configurationFile=FILE} replaces it.
   */
  static final String LOGBACK_CONFIGURATION = "gantry-logback.xml";

  static {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", LOGBACK_CONFIGURATION);
    }
  }

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /**
   * Netty's buffer leak detector, unless the command line sets its level: it samples one buffer
   * in 128 and records a stack trace for each, a cost on every request for a check meant for
   * development. {@code -Dio.grpc.netty.shaded.io.netty.leakDetection.level=simple} turns it on.
   */
  static final String LEAK_DETECTION_LEVEL = "io.grpc.netty.shaded.io.netty.leakDetection.level";

  public static void main(String[] args) {
    if (System.getProperty(LEAK_DETECTION_LEVEL) == null) {
      System.setProperty(LEAK_DETECTION_LEVEL, "disabled");
    }
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command, e.g. serve");
  }

  /** Reads {@code none}, {@code poll} or {@code explicit} in any case. */
  static final class ControlModeConverter implements CommandLine.ITypeConverter<ModelControlMode> {
    @Override
    public ModelControlMode convert(String value) {
      return ModelControlMode.valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }
  }

  /** Reads {@code gantry} or {@code triton} in any case. */
  static final class MetricNamesConverter implements CommandLine.ITypeConverter<MetricNames> {
    @Override
    public MetricNames convert(String value) {
      try {
        return MetricNames.valueOf(value.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not one of gantry, triton");
      }
    }
  }

  /** {@code gantry serve}: load the model repositories and serve them until stopped. */
  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = "Serve the models of one or more model repositories.")
  static final class Serve implements Callable<Integer> {
    @Option(names = "--model-repository", required = true, paramLabel = "DIR",
        description = "A model repository directory; repeat for several.")
    List<Path> repositories;

    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--grpc-port", defaultValue = "" + ServerOptions.DEFAULT_GRPC_PORT,
        description = "gRPC port (default: ${DEFAULT-VALUE}).")
    int grpcPort;

    @Option(names = "--max-message-size", defaultValue = "" + ServerOptions.DEFAULT_MAX_MESSAGE_BYTES,
        description = "Largest request message in bytes (default: ${DEFAULT-VALUE}).")
    int maxMessageBytes;

    @Option(names = "--max-queue-size", defaultValue = "" + ServerOptions.DEFAULT_MAX_QUEUE_SIZE,
        description = "Queue bound for models whose config sets no max_queue_size (default: ${DEFAULT-VALUE}).")
    int maxQueueSize;

    @Option(names = "--max-elements-per-tensor",
        defaultValue = "" + ServerOptions.DEFAULT_MAX_ELEMENTS_PER_TENSOR,
        description = "Most elements one input tensor may have (default: ${DEFAULT-VALUE}).")
    long maxElementsPerTensor;

    @Option(names = "--exit-timeout-secs", defaultValue = "30",
        description = "Seconds shutdown waits for queued and running requests (default: ${DEFAULT-VALUE}).")
    long exitTimeoutSecs;

    @Option(names = "--http-port", defaultValue = "" + HttpOptions.DEFAULT_PORT,
        description = "Port of the KServe v2 HTTP/REST API (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--allow-http", defaultValue = "true", arity = "1",
        description = "Serve the HTTP/REST API beside gRPC (default: ${DEFAULT-VALUE}).")
    boolean allowHttp;

    @Option(names = "--http-body-timeout-secs", defaultValue = "30",
        description = "How long an HTTP request, headers and body, may take to arrive whole "
            + "after its first byte; a slower client gets 408 (default: ${DEFAULT-VALUE}).")
    long httpBodyTimeoutSecs;

    @Option(names = "--metrics-port", defaultValue = "" + ServerOptions.DEFAULT_METRICS_PORT,
        description = "Port of the Prometheus endpoint /metrics (default: ${DEFAULT-VALUE}).")
    int metricsPort;

    @Option(names = "--allow-metrics", defaultValue = "true", arity = "1",
        description = "Serve Prometheus metrics over HTTP (default: ${DEFAULT-VALUE}).")
    boolean allowMetrics;

    @Option(names = "--metrics-names", defaultValue = "gantry",
        converter = MetricNamesConverter.class,
        description = "Names of the Prometheus metrics: gantry (Prometheus conventions, "
            + "seconds, histograms) or triton (Triton's nv_inference_* names, units and labels, "
            + "for Triton dashboards) (default: ${DEFAULT-VALUE}).")
    MetricNames metricNames;

    @Option(names = "--jmx", description = "Also publish every metric as a JMX MBean.")
    boolean jmx;

    @Option(names = "--model-control-mode", defaultValue = "none",
        converter = ControlModeConverter.class,
        description = "none (load all at start), poll (also rescan), or explicit (load what "
            + "--load-model and the repository RPCs ask) (default: ${DEFAULT-VALUE}).")
    ModelControlMode controlMode;

    @Option(names = "--repository-poll-secs", defaultValue = "15",
        description = "Seconds between rescans in poll mode (default: ${DEFAULT-VALUE}).")
    long pollSecs;

    @Option(names = "--load-model", paramLabel = "NAME",
        description = "A model to load at start in explicit mode; repeat, or * for all.")
    List<String> loadModels = List.of();

    @Option(names = "--max-upload-size", defaultValue = "" + ServerOptions.DEFAULT_MAX_UPLOAD_BYTES,
        description = "Most bytes of model files one load request may carry (default: ${DEFAULT-VALUE}).")
    long maxUploadBytes;

    @Option(names = "--max-bytes-element-size",
        defaultValue = "" + ServerOptions.DEFAULT_MAX_BYTES_ELEMENT_BYTES,
        description = "Most bytes one element of a BYTES input may have (default: ${DEFAULT-VALUE}).")
    long maxBytesElementBytes;

    @Option(names = "--execution-timeout-secs", defaultValue = "60",
        description = "Seconds one execution may run before its requests fail and its instance "
            + "counts as stuck; 0 for no limit; a model's execution_timeout_ms parameter "
            + "overrides it (default: ${DEFAULT-VALUE}).")
    long executionTimeoutSecs;

    @Option(names = "--host-policy", paramLabel = "NAME,cpu-cores=LIST",
        description = "Run the instances that follow host policy NAME on these cores (a Linux "
            + "CPU list such as 0-3,8); instances follow their instance_group's host_policy, by "
            + "default 'cpu' (GPU instances 'gpu_<id>'). Repeat for several policies.")
    List<String> hostPolicies = List.of();

    @Option(names = "--grpc-tls-cert", paramLabel = "FILE",
        description = "PEM certificate chain of the server: serve gRPC and metrics over TLS.")
    Path tlsCertificate;

    @Option(names = "--grpc-tls-key", paramLabel = "FILE",
        description = "The server's unencrypted PKCS#8 PEM private key, with --grpc-tls-cert.")
    Path tlsKey;

    @Option(names = "--grpc-tls-ca", paramLabel = "FILE",
        description = "PEM certificates of the authorities that sign client certificates: "
            + "require one (mutual TLS).")
    Path tlsClientCa;

    @Option(names = "--auth-tokens-file", paramLabel = "FILE",
        description = "Bearer tokens, one 'role token' a line (roles: inference, admin); with "
            + "them, or with the " + AccessTokens.INFERENCE_ENV + " and " + AccessTokens.ADMIN_ENV
            + " environment variables, calls need a token.")
    Path authTokensFile;

    @Option(names = "--disable-repository-rpcs",
        description = "Answer RepositoryModelLoad and RepositoryModelUnload with UNIMPLEMENTED.")
    boolean disableRepositoryRpcs;

    @Option(names = "--max-connections",
        defaultValue = "" + ConnectionLimits.DEFAULT_MAX_CONNECTIONS,
        description = "Most client connections open at once; more are closed when accepted "
            + "(default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--grpc-first-request-timeout-secs", defaultValue = "5",
        description = "Seconds a new connection has to complete its handshake and send its "
            + "first request before it is closed (default: ${DEFAULT-VALUE}).")
    long firstRequestTimeoutSecs;

    @Option(names = "--grpc-max-connection-idle-secs", defaultValue = "300",
        description = "Seconds a connection may go without a call in progress before the server "
            + "ends it (default: ${DEFAULT-VALUE}).")
    long maxConnectionIdleSecs;

    @Option(names = "--grpc-permit-keepalive-time-secs", defaultValue = "300",
        description = "Shortest interval between a client's keepalive pings; a client pinging "
            + "more often is disconnected (default: ${DEFAULT-VALUE}).")
    long permitKeepAliveSecs;

    @Option(names = "--grpc-permit-keepalive-without-calls",
        description = "Accept keepalive pings from clients that have no call in progress.")
    boolean permitKeepAliveWithoutCalls;

    @Option(names = "--memory-return-secs", defaultValue = "10",
        description = "Seconds between giving free native memory back to the system (glibc's "
            + "malloc_trim) and between collections of an idle heap; 0 for never "
            + "(default: ${DEFAULT-VALUE}).")
    long memoryReturnSecs;

    @Option(names = "--grpc-max-concurrent-streams",
        defaultValue = "" + ConnectionLimits.DEFAULT_MAX_CONCURRENT_STREAMS,
        description = "Most calls one connection may have open at once; a client wanting more "
            + "waits (default: ${DEFAULT-VALUE}).")
    int maxConcurrentStreams;

    private ConnectionLimits connectionLimits() {
      try {
        return new ConnectionLimits(maxConnections, Duration.ofSeconds(firstRequestTimeoutSecs),
            Duration.ofSeconds(maxConnectionIdleSecs), Duration.ofSeconds(permitKeepAliveSecs),
            permitKeepAliveWithoutCalls, maxConcurrentStreams);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage(), e);
      }
    }

    private HostPolicies hostPolicies() {
      try {
        return HostPolicies.parse(hostPolicies);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage(), e);
      }
    }

    /** TLS, tokens and the repository switch, read and checked before the server starts. */
    private SecurityOptions security() {
      if ((tlsCertificate == null) != (tlsKey == null)) {
        throw new CommandLine.ParameterException(
            new CommandLine(this), "--grpc-tls-cert and --grpc-tls-key go together");
      }
      if (tlsClientCa != null && tlsCertificate == null) {
        throw new CommandLine.ParameterException(
            new CommandLine(this), "--grpc-tls-ca needs --grpc-tls-cert and --grpc-tls-key");
      }
      try {
        Optional<TlsContext> tls = tlsCertificate == null
            ? Optional.empty()
            : Optional.of(TlsContext.fromPem(
                tlsCertificate, tlsKey, Optional.ofNullable(tlsClientCa)));
        AccessTokens tokens =
            AccessTokens.load(Optional.ofNullable(authTokensFile), System.getenv());
        return new SecurityOptions(tls, tokens, disableRepositoryRpcs);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage(), e);
      }
    }

    @Override
    public Integer call() throws Exception {
      ServerOptions options;
      try {
        options = new ServerOptions(
            repositories, host, grpcPort, maxMessageBytes, maxQueueSize, maxElementsPerTensor,
            maxBytesElementBytes, ServerOptions.DEFAULT_STREAM_WINDOW,
            Duration.ofSeconds(exitTimeoutSecs), Duration.ofSeconds(executionTimeoutSecs),
            allowMetrics ? metricsPort : -1, jmx, controlMode, Duration.ofSeconds(pollSecs),
            loadModels, maxUploadBytes, security(), hostPolicies(), connectionLimits(),
            Duration.ofSeconds(memoryReturnSecs), metricNames,
            new HttpOptions(allowHttp ? httpPort : -1, Duration.ofSeconds(httpBodyTimeoutSecs)));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage(), e);
      }
      GantryServer server = GantryServer.start(options);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        log.info("shutting down: draining requests for up to {} s", exitTimeoutSecs);
        server.close();
        Runtime.getRuntime().halt(0);
      }, "gantry-shutdown"));
      server.awaitTermination();
      return 0;
    }
  }
}
