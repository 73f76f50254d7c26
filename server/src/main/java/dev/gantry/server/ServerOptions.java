package dev.gantry.server;

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
 * @param streamWindow how many requests one inference stream may have in flight
 * @param exitTimeout how long shutdown waits for queued and running requests
 * @param metricsPort the Prometheus HTTP port ({@code /metrics}); 0 picks a free one; negative
 *     turns the endpoint off
 * @param jmx whether every metric is also published as a JMX MBean
 */
public record ServerOptions(
    List<Path> modelRepositories,
    String host,
    int grpcPort,
    int maxMessageBytes,
    int maxQueueSize,
    long maxElementsPerTensor,
    int streamWindow,
    Duration exitTimeout,
    int metricsPort,
    boolean jmx) {

  public ServerOptions {
    modelRepositories = List.copyOf(modelRepositories);
  }

  public static final int DEFAULT_GRPC_PORT = 8001;
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
  public static final int DEFAULT_MAX_QUEUE_SIZE = 1024;
  public static final long DEFAULT_MAX_ELEMENTS_PER_TENSOR = 1L << 28;
  public static final int DEFAULT_STREAM_WINDOW = 64;
  public static final Duration DEFAULT_EXIT_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_METRICS_PORT = 8002;

  /** These options with another gRPC message size limit. */
  public ServerOptions withMaxMessageBytes(int bytes) {
    return new ServerOptions(modelRepositories, host, grpcPort, bytes, maxQueueSize,
        maxElementsPerTensor, streamWindow, exitTimeout, metricsPort, jmx);
  }

  /** These options with another shutdown drain timeout. */
  public ServerOptions withExitTimeout(Duration timeout) {
    return new ServerOptions(modelRepositories, host, grpcPort, maxMessageBytes, maxQueueSize,
        maxElementsPerTensor, streamWindow, timeout, metricsPort, jmx);
  }

  /**
   * Defaults everywhere, on the loopback address with free gRPC and metrics ports: what tests
   * start with.
   */
  public static ServerOptions forRepositories(Path... repositories) {
    return new ServerOptions(
        List.of(repositories),
        "127.0.0.1",
        0,
        DEFAULT_MAX_MESSAGE_BYTES,
        DEFAULT_MAX_QUEUE_SIZE,
        DEFAULT_MAX_ELEMENTS_PER_TENSOR,
        DEFAULT_STREAM_WINDOW,
        DEFAULT_EXIT_TIMEOUT,
        0,
        false);
  }
}
