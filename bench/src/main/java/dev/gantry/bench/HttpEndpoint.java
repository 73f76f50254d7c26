package dev.gantry.bench;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's HTTP/REST address ({@code --http-url}) and the one {@link HttpClient} that
 * {@code -i http} sends inferences with. One client serves the whole run, so that its pool of
 * kept-alive HTTP/1.1 connections (one per request in flight) outlives the load levels as an
 * application's would, and its work runs on threads named {@code bench-http-N} of its own, which
 * {@link #close} ends, so that they are told apart from gRPC's and the drivers' in a profile.
 */
final class HttpEndpoint implements AutoCloseable {
  private final URI base;
  private final ExecutorService executor;
  private final HttpClient client;

  private HttpEndpoint(URI base, ExecutorService executor) {
    this.base = base;
    this.executor = executor;
    this.client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .executor(executor)
        .build();
  }

  /** Creates the client for the server at {@code HOST:PORT}. */
  static HttpEndpoint open(String hostPort) {
    return new HttpEndpoint(address(hostPort), Executors.newCachedThreadPool(new Named()));
  }

  /**
   * The base URI {@code http://HOST:PORT} of a {@code --http-url} value.
   *
   * @throws IllegalArgumentException when it is not {@code HOST:PORT}
   */
  static URI address(String hostPort) {
    URI uri;
    try {
      uri = new URI("http://" + hostPort);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("expected HOST:PORT, got '" + hostPort + "'", e);
    }
    if (uri.getHost() == null || uri.getPort() < 0 || uri.getUserInfo() != null
        || !uri.getRawPath().isEmpty() || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("expected HOST:PORT, got '" + hostPort + "'");
    }
    return uri;
  }

  /** The endpoint of the model's inferences, {@code /v2/models/M[/versions/V]/infer}. */
  URI inferUri(String model, String version) {
    String path = "/v2/models/" + model + (version.isEmpty() ? "" : "/versions/" + version)
        + "/infer";
    try {
      return new URI(base.getScheme(), base.getRawAuthority(), path, null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("model '" + model + "' makes no valid URI path", e);
    }
  }

  /** {@code http://HOST:PORT}, for the report. */
  String target() {
    return base.toString();
  }

  HttpClient client() {
    return client;
  }

  /** Ends the client's threads once they are idle; call after the last request completed. */
  @Override
  public void close() {
    executor.shutdown();
  }

  /** Daemon threads named {@code bench-http-N}. */
  private static final class Named implements ThreadFactory {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(Runnable task) {
      Thread thread = new Thread(task, "bench-http-" + count.getAndIncrement());
      thread.setDaemon(true);
      return thread;
    }
  }
}
