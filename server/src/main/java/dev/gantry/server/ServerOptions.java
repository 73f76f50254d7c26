package dev.gantry.server;

import dev.gantry.server.config.HostPolicies;
import dev.gantry.server.http.HttpOptions;
import dev.gantry.server.metrics.MetricNames;
import dev.gantry.server.model.ModelControlMode;
import dev.gantry.server.security.SecurityOptions;
import dev.gantry.server.transport.ConnectionLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything the server can be told at start-up, with the defaults a production deployment
 * expects. The command line fills it; tests build it directly.
 *
 * @param modelRepositories the repository directories to serve
 * @param host the address to listen on
 * @param grpcPort the gRPC port; 0 picks a free one
 * @param maxMessageBytes the largest request message accepted
 * @param maxQueueSize the bound of a queue whose model does not set {@code max_queue_size}
 * @param maxElementsPerTensor the most elements one input tensor may have
 * @param maxBytesElementBytes the most bytes one element of a BYTES input may have
 * @param streamWindow how many requests one inference stream may have in flight
 * @param exitTimeout how long shutdown waits for queued and running requests
 * @param executionTimeout how long one execution may run before the watchdog fails its requests,
 *     for models that set no {@code execution_timeout_ms}; zero for no limit
 * @param metricsPort the Prometheus HTTP port ({@code /metrics}); 0 picks a free one; negative
 *     turns the endpoint off
 * @param jmx whether every metric is also published as a JMX MBean
 * @param controlMode how the set of served models changes after start-up
 * @param pollInterval how often POLL mode rescans the repositories
 * @param startupModels the models EXPLICIT mode loads at start ({@code *} for all)
 * @param maxUploadBytes the most bytes of model files one load request may carry
 * @param security TLS, access tokens, and whether the repository RPCs are off
 * @param hostPolicies the cores that model instances run on, by host policy name
 * @param connections the limits on client connections to the gRPC port
 * @param memoryReturn how often the server gives free native memory back to the system (and
 *     lets an idle heap be collected); zero for never
 * @param metricNames the names the Prometheus endpoint uses: Gantry's or Triton's
 * @param http the HTTP/REST port's settings, or {@link HttpOptions#OFF}
 */
public record ServerOptions(
    List<Path> modelRepositories,
    String host,
    int grpcPort,
    int maxMessageBytes,
    int maxQueueSize,
    long maxElementsPerTensor,
    long maxBytesElementBytes,
    int streamWindow,
    Duration exitTimeout,
    Duration executionTimeout,
    int metricsPort,
    boolean jmx,
    ModelControlMode controlMode,
    Duration pollInterval,
    List<String> startupModels,
    long maxUploadBytes,
    SecurityOptions security,
    HostPolicies hostPolicies,
    ConnectionLimits connections,
    Duration memoryReturn,
    MetricNames metricNames,
    HttpOptions http) {

  /**
   * Checks the options that no type rules out, so that the command line and {@link
   * GantryServer#builder()} refuse the same values with the same message.
   *
   * @throws IllegalArgumentException naming the option and the value it expects
   */
  public ServerOptions {
    modelRepositories = List.copyOf(modelRepositories);
    startupModels = List.copyOf(startupModels);
    if (modelRepositories.isEmpty()) {
      throw new IllegalArgumentException("--model-repository: name at least one directory");
    }
    for (Path repository : modelRepositories) {
      if (!Files.isDirectory(repository)) {
        throw new IllegalArgumentException(
            "--model-repository " + repository + " is not a directory");
      }
    }
    if (maxBytesElementBytes < 1) {
      throw new IllegalArgumentException("--max-bytes-element-size must be at least 1");
    }
    if (executionTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "--execution-timeout-secs must be 0 (no limit) or more");
    }
    if (memoryReturn.isNegative()) {
      throw new IllegalArgumentException("--memory-return-secs must be 0 (never) or more");
    }
  }

  public static final int DEFAULT_GRPC_PORT = 8001;
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
  public static final int DEFAULT_MAX_QUEUE_SIZE = 1024;
  public static final long DEFAULT_MAX_ELEMENTS_PER_TENSOR = 1L << 28;
  public static final long DEFAULT_MAX_BYTES_ELEMENT_BYTES = 16L * 1024 * 1024;
  public static final int DEFAULT_STREAM_WINDOW = 64;
  public static final Duration DEFAULT_EXIT_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_EXECUTION_TIMEOUT = Duration.ofSeconds(60);
  public static final int DEFAULT_METRICS_PORT = 8002;
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(15);
  public static final long DEFAULT_MAX_UPLOAD_BYTES = 1L << 30;
  public static final Duration DEFAULT_MEMORY_RETURN = Duration.ofSeconds(10);

  /** These options with another gRPC message size limit. */
  public ServerOptions withMaxMessageBytes(int bytes) {
    return new ServerOptions(modelRepositories, host, grpcPort, bytes, maxQueueSize,
        maxElementsPerTensor, maxBytesElementBytes, streamWindow, exitTimeout, executionTimeout,
        metricsPort, jmx, controlMode, pollInterval, startupModels, maxUploadBytes, security,
        hostPolicies, connections, memoryReturn, metricNames, http);
  }

  /** These options with other limits on BYTES elements and on uploaded model files. */
  public ServerOptions withBytesLimits(long bytesElementBytes, long uploadBytes) {
    return new ServerOptions(modelRepositories, host, grpcPort, maxMessageBytes, maxQueueSize,
        maxElementsPerTensor, bytesElementBytes, streamWindow, exitTimeout, executionTimeout,
        metricsPort, jmx, controlMode, pollInterval, startupModels, uploadBytes, security,
        hostPolicies, connections, memoryReturn, metricNames, http);
  }

  /** These options with another shutdown drain timeout. */
  public ServerOptions withExitTimeout(Duration timeout) {
    return new ServerOptions(modelRepositories, host, grpcPort, maxMessageBytes, maxQueueSize,
        maxElementsPerTensor, maxBytesElementBytes, streamWindow, timeout, executionTimeout,
        metricsPort, jmx, controlMode, pollInterval, startupModels, maxUploadBytes, security,
        hostPolicies, connections, memoryReturn, metricNames, http);
  }

  /** These options with another default execution timeout. */
  public ServerOptions withExecutionTimeout(Duration timeout) {
    return new ServerOptions(modelRepositories, host, grpcPort, maxMessageBytes, maxQueueSize,
        maxElementsPerTensor, maxBytesElementBytes, streamWindow, exitTimeout, timeout,
        metricsPort, jmx, controlMode, pollInterval, startupModels, maxUploadBytes, security,
        hostPolicies, connections, memoryReturn, metricNames, http);
  }

  /** These options with another model control mode. */
  public ServerOptions withControlMode(
      ModelControlMode mode, Duration interval, List<String> models) {
    return new ServerOptions(modelRepositories, host, grpcPort, maxMessageBytes, maxQueueSize,
        maxElementsPerTensor, maxBytesElementBytes, streamWindow, exitTimeout, executionTimeout,
        metricsPort, jmx, mode, interval, models, maxUploadBytes, security, hostPolicies,
        connections, memoryReturn, metricNames, http);
  }

  /** These options with other security settings. */
  public ServerOptions withSecurity(SecurityOptions settings) {
    return new ServerOptions(modelRepositories, host, grpcPort, maxMessageBytes, maxQueueSize,
        maxElementsPerTensor, maxBytesElementBytes, streamWindow, exitTimeout, executionTimeout,
        metricsPort, jmx, controlMode, pollInterval, startupModels, maxUploadBytes, settings,
        hostPolicies, connections, memoryReturn, metricNames, http);
  }

  /** These options with other host policies. */
  public ServerOptions withHostPolicies(HostPolicies policies) {
    return new ServerOptions(modelRepositories, host, grpcPort, maxMessageBytes, maxQueueSize,
        maxElementsPerTensor, maxBytesElementBytes, streamWindow, exitTimeout, executionTimeout,
        metricsPort, jmx, controlMode, pollInterval, startupModels, maxUploadBytes, security,
        policies, connections, memoryReturn, metricNames, http);
  }

  /** These options with other connection limits. */
  public ServerOptions withConnectionLimits(ConnectionLimits limits) {
    return new ServerOptions(modelRepositories, host, grpcPort, maxMessageBytes, maxQueueSize,
        maxElementsPerTensor, maxBytesElementBytes, streamWindow, exitTimeout, executionTimeout,
        metricsPort, jmx, controlMode, pollInterval, startupModels, maxUploadBytes, security,
        hostPolicies, limits, memoryReturn, metricNames, http);
  }

  /** These options with other names for the Prometheus metrics. */
  public ServerOptions withMetricNames(MetricNames names) {
    return new ServerOptions(modelRepositories, host, grpcPort, maxMessageBytes, maxQueueSize,
        maxElementsPerTensor, maxBytesElementBytes, streamWindow, exitTimeout, executionTimeout,
        metricsPort, jmx, controlMode, pollInterval, startupModels, maxUploadBytes, security,
        hostPolicies, connections, memoryReturn, names, http);
  }

  /** These options with the HTTP/REST API on these settings. */
  public ServerOptions withHttp(HttpOptions settings) {
    return new ServerOptions(modelRepositories, host, grpcPort, maxMessageBytes, maxQueueSize,
        maxElementsPerTensor, maxBytesElementBytes, streamWindow, exitTimeout, executionTimeout,
        metricsPort, jmx, controlMode, pollInterval, startupModels, maxUploadBytes, security,
        hostPolicies, connections, memoryReturn, metricNames, settings);
  }

  /**
   * Defaults everywhere, on the loopback address with free gRPC and metrics ports and no HTTP
   * API: what tests start with.
   */
  public static ServerOptions forRepositories(Path... repositories) {
    return new ServerOptions(
        List.of(repositories),
        "127.0.0.1",
        0,
        DEFAULT_MAX_MESSAGE_BYTES,
        DEFAULT_MAX_QUEUE_SIZE,
        DEFAULT_MAX_ELEMENTS_PER_TENSOR,
        DEFAULT_MAX_BYTES_ELEMENT_BYTES,
        DEFAULT_STREAM_WINDOW,
        DEFAULT_EXIT_TIMEOUT,
        DEFAULT_EXECUTION_TIMEOUT,
        0,
        false,
        ModelControlMode.NONE,
        DEFAULT_POLL_INTERVAL,
        List.of(),
        DEFAULT_MAX_UPLOAD_BYTES,
        SecurityOptions.none(),
        HostPolicies.none(),
        ConnectionLimits.defaults(),
        DEFAULT_MEMORY_RETURN,
        MetricNames.GANTRY,
        HttpOptions.OFF);
  }
}
