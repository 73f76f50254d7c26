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
 */
public record ServerOptions(
    List<Path> modelRepositories,
    String host,
    int grpcPort,
    int maxMessageBytes,
    int maxQueueSize,
    long maxElementsPerTensor,
    int streamWindow,
    Duration exitTimeout) {

  public ServerOptions {
    modelRepositories = List.copyOf(modelRepositories);
  }

  public static final int DEFAULT_GRPC_PORT = 8001;
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
  public static final int DEFAULT_MAX_QUEUE_SIZE = 1024;
  public static final long DEFAULT_MAX_ELEMENTS_PER_TENSOR = 1L << 28;
  public static final int DEFAULT_STREAM_WINDOW = 64;
  public static final Duration DEFAULT_EXIT_TIMEOUT = Duration.ofSeconds(30);

  /** Defaults everywhere, on the loopback address and a free port: what tests start with. */
  public static ServerOptions forRepositories(Path... repositories) {
    return new ServerOptions(
        List.of(repositories),
        "127.0.0.1",
        0,
        DEFAULT_MAX_MESSAGE_BYTES,
        DEFAULT_MAX_QUEUE_SIZE,
        DEFAULT_MAX_ELEMENTS_PER_TENSOR,
        DEFAULT_STREAM_WINDOW,
        DEFAULT_EXIT_TIMEOUT);
  }
}
