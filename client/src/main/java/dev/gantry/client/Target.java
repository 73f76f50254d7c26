package dev.gantry.client;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * One server address given as {@code host:port}, with IPv6 hosts in brackets.
 *
 * <p>Parsed once when the client is built, so a malformed address fails there rather than on the
 * first call.
 */
final class Target {
  private final String host;
  private final int port;

  private Target(String host, int port) {
    this.host = host;
    this.port = port;
  }

  /**
   * Parses {@code host:port}.
   *
   * @throws IllegalArgumentException if the text is not a host and a port
   */
  static Target parse(String text) {
    URI uri;
    try {
      uri = new URI("tcp://" + text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("target is not host:port: " + text, e);
    }
    if (uri.getHost() == null || uri.getPort() < 0 || !text.equals(uri.getRawAuthority())) {
      throw new IllegalArgumentException("target is not host:port: " + text);
    }
    String host = uri.getHost();
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    return new Target(host, uri.getPort());
  }

  String host() {
    return host;
  }

  int port() {
    return port;
  }

  /** The {@code host:port} form, as TLS checks it against the server's certificate. */
  String authority() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
