package dev.gantry.server.transport;

import java.util.List;

/**
 * What ServerMetadata reports: the server's name, its version, and the protocol extensions it
 * really implements (load-testing tools read them to decide what to ask for).
 */
public record ServerIdentity(String name, String version, List<String> extensions) {
  public ServerIdentity {
    extensions = List.copyOf(extensions);
  }

  /** Gantry's identity, with the version from the server jar's manifest. */
  public static ServerIdentity gantry() {
    String version = ServerIdentity.class.getPackage().getImplementationVersion();
    return new ServerIdentity(
        "gantry",
        version == null ? "development" : version,
        InferenceService.extensions());
  }
}
