package dev.gantry.server;

import dev.gantry.server.config.HostPolicies;
import dev.gantry.server.http.HttpOptions;
import dev.gantry.server.metrics.MetricNames;
import dev.gantry.server.model.ModelControlMode;
import dev.gantry.server.security.SecurityOptions;
import dev.gantry.server.transport.ConnectionLimits;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Starts a Gantry inside an application: the embedding API, what {@code gantry serve} is on the
 * command line. It only collects values; {@link ServerOptions} checks them, the same rules and
 * messages as the command line's.
 *
 * <p>The defaults are the command line's, except that the server listens on the loopback address
 * and the Prometheus endpoint is off: an application decides itself what it exposes.
 *
 * <pre>{@code
 * try (GantryServer server = GantryServer.builder()
 *         .modelRepository(Path.of("models"))
 *         .grpcPort(0)
 *         .start()) {
 *   ManagedChannel channel = server.inProcessChannel();
 *   ...
 * }
 * }</pre>
 */
public final class GantryServerBuilder {
  private final List<Path> repositories = new ArrayList<>();
  private String host = "127.0.0.1";
  private int grpcPort = ServerOptions.DEFAULT_GRPC_PORT;
  private int metricsPort = -1;
  private HttpOptions http = HttpOptions.OFF;
  private boolean jmx;
  private ModelControlMode controlMode = ModelControlMode.NONE;
  private Duration pollInterval = ServerOptions.DEFAULT_POLL_INTERVAL;
  private List<String> startupModels = List.of();
  private int maxMessageBytes = ServerOptions.DEFAULT_MAX_MESSAGE_BYTES;
  private int maxQueueSize = ServerOptions.DEFAULT_MAX_QUEUE_SIZE;
  private long maxElementsPerTensor = ServerOptions.DEFAULT_MAX_ELEMENTS_PER_TENSOR;
  private long maxBytesElementBytes = ServerOptions.DEFAULT_MAX_BYTES_ELEMENT_BYTES;
  private long maxUploadBytes = ServerOptions.DEFAULT_MAX_UPLOAD_BYTES;
  private Duration exitTimeout = ServerOptions.DEFAULT_EXIT_TIMEOUT;
  private Duration executionTimeout = ServerOptions.DEFAULT_EXECUTION_TIMEOUT;
  private SecurityOptions security = SecurityOptions.none();
  private HostPolicies hostPolicies = HostPolicies.none();
  private ConnectionLimits connections = ConnectionLimits.defaults();
  private Duration memoryReturn = Duration.ZERO;
  private MetricNames metricNames = MetricNames.GANTRY;

  GantryServerBuilder() {}

  /** Adds a model repository directory ({@code --model-repository}); at least one is needed. */
  public GantryServerBuilder modelRepository(Path directory) {
    repositories.add(Objects.requireNonNull(directory, "directory"));
    return this;
  }

  /** The address the gRPC port listens on ({@code --host}); the loopback address by default. */
  public GantryServerBuilder host(String address) {
    this.host = Objects.requireNonNull(address, "address");
    return this;
  }

  /** The gRPC port ({@code --grpc-port}); 0 picks a free one, see {@link GantryServer#port()}. */
  public GantryServerBuilder grpcPort(int port) {
    this.grpcPort = port;
    return this;
  }

  /**
   * Serves Prometheus metrics on this port ({@code --metrics-port}); 0 picks a free one. Off
   * unless called.
   */
  public GantryServerBuilder metricsPort(int port) {
    this.metricsPort = port;
    return this;
  }

  /**
   * Serves the KServe v2 HTTP/REST API on this port ({@code --http-port}); 0 picks a free one.
   * Off unless set.
   */
  public GantryServerBuilder httpPort(int port) {
    this.http = new HttpOptions(port, http.bodyTimeout());
    return this;
  }

  /** Publishes every metric as a JMX MBean too ({@code --jmx}). */
  public GantryServerBuilder jmx(boolean enabled) {
    this.jmx = enabled;
    return this;
  }

  /**
   * How the set of served models changes after start-up ({@code --model-control-mode}); NONE by
   * default.
   */
  public GantryServerBuilder controlMode(ModelControlMode mode) {
    this.controlMode = Objects.requireNonNull(mode, "mode");
    return this;
  }

  /** How often POLL mode rescans the repositories ({@code --repository-poll-secs}). */
  public GantryServerBuilder pollInterval(Duration interval) {
    this.pollInterval = Objects.requireNonNull(interval, "interval");
    return this;
  }

  /** The models EXPLICIT mode loads at start ({@code --load-model}; {@code *} for all). */
  public GantryServerBuilder loadModels(String... models) {
    this.startupModels = List.of(models);
    return this;
  }

  /** The largest request message accepted ({@code --max-message-size}). */
  public GantryServerBuilder maxMessageSize(int bytes) {
    this.maxMessageBytes = bytes;
    return this;
  }

  /** The queue bound of models that set no {@code max_queue_size} ({@code --max-queue-size}). */
  public GantryServerBuilder maxQueueSize(int requests) {
    this.maxQueueSize = requests;
    return this;
  }

  /** The most elements one input tensor may have ({@code --max-elements-per-tensor}). */
  public GantryServerBuilder maxElementsPerTensor(long elements) {
    this.maxElementsPerTensor = elements;
    return this;
  }

  /** The most bytes one BYTES element may have ({@code --max-bytes-element-size}). */
  public GantryServerBuilder maxBytesElementSize(long bytes) {
    this.maxBytesElementBytes = bytes;
    return this;
  }

  /** The most bytes of model files one load request may carry ({@code --max-upload-size}). */
  public GantryServerBuilder maxUploadSize(long bytes) {
    this.maxUploadBytes = bytes;
    return this;
  }

  /** How long {@link GantryServer#close()} waits for queued and running requests. */
  public GantryServerBuilder exitTimeout(Duration timeout) {
    this.exitTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /**
   * How long one execution may run before the watchdog fails it ({@code
   * --execution-timeout-secs}); zero for no limit.
   */
  public GantryServerBuilder executionTimeout(Duration timeout) {
    this.executionTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /** TLS, access tokens and the repository RPC switch; none of them by default. */
  public GantryServerBuilder security(SecurityOptions settings) {
    this.security = Objects.requireNonNull(settings, "settings");
    return this;
  }

  /** The cores model instances run on, by host policy name ({@code --host-policy}). */
  public GantryServerBuilder hostPolicies(HostPolicies policies) {
    this.hostPolicies = Objects.requireNonNull(policies, "policies");
    return this;
  }

  /** The limits on client connections to the gRPC port ({@code --max-connections} and others). */
  public GantryServerBuilder connectionLimits(ConnectionLimits limits) {
    this.connections = Objects.requireNonNull(limits, "limits");
    return this;
  }

  /**
   * How often the server gives free native memory back to the system and lets an idle heap be
   * collected ({@code --memory-return-secs}). Never by default when embedded, unlike the command
   * line's 10 s: the heap and the process are the host application's to manage.
   */
  public GantryServerBuilder memoryReturn(Duration interval) {
    this.memoryReturn = Objects.requireNonNull(interval, "interval");
    return this;
  }

  /** The names the Prometheus endpoint uses ({@code --metrics-names}): Gantry's by default. */
  public GantryServerBuilder metricNames(MetricNames names) {
    this.metricNames = Objects.requireNonNull(names, "names");
    return this;
  }

  /**
   * The options these values make, checked.
   *
   * @throws IllegalArgumentException if a value is refused, with the command line's message
   */
  public ServerOptions options() {
    return new ServerOptions(repositories, host, grpcPort, maxMessageBytes, maxQueueSize,
        maxElementsPerTensor, maxBytesElementBytes, ServerOptions.DEFAULT_STREAM_WINDOW,
        exitTimeout, executionTimeout, metricsPort, jmx, controlMode, pollInterval,
        startupModels, maxUploadBytes, security, hostPolicies, connections, memoryReturn,
        metricNames, http);
  }

  /**
   * Starts serving and loads the models; returns once every model has loaded or failed.
   *
   * @throws IllegalArgumentException if a value is refused
   * @throws IOException if the port cannot be opened
   */
  public GantryServer start() throws IOException {
    return GantryServer.start(options());
  }
}
