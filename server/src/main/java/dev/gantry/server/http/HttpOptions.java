package dev.gantry.server.http;

import java.time.Duration;

/**
 * The HTTP/REST port's own settings; everything else it shares with the gRPC port (address, TLS,
 * access tokens, message size limit, exit timeout).
 *
 * @param port the port; 0 picks a free one; negative turns the HTTP API off
 * @param bodyTimeout how long a request, headers and body, may take to arrive whole once its first
 *     byte has
 */
public record HttpOptions(int port, Duration bodyTimeout) {
  public static final int DEFAULT_PORT = 8000;
  public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(30);

  /** No HTTP API. */
  public static final HttpOptions OFF = new HttpOptions(-1, DEFAULT_BODY_TIMEOUT);

  /** @throws IllegalArgumentException naming the option and the value it expects */
  public HttpOptions {
    if (bodyTimeout.toSeconds() < 1) {
      throw new IllegalArgumentException(
          "--http-body-timeout-secs must be at least 1, got " + bodyTimeout.toSeconds());
    }
  }

  public boolean enabled() {
    return port >= 0;
  }
}
