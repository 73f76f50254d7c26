package dev.gantry.server.security;

import java.util.Optional;

/**
 * How the server protects itself, as the command line set it up: TLS (mutual when it has a client
 * CA) on the gRPC port and the metrics endpoint, the bearer tokens that control access, and
 * whether the RPCs that change the repository are switched off.
 *
 * @param tls the server's TLS identity; empty for plaintext
 * @param tokens the accepted tokens; none turns access control off
 * @param repositoryRpcsDisabled whether RepositoryModelLoad and RepositoryModelUnload answer
 *     UNIMPLEMENTED whatever the caller's role
 */
public record SecurityOptions(
    Optional<TlsContext> tls, AccessTokens tokens, boolean repositoryRpcsDisabled) {

  /** Plaintext, no access control, repository RPCs on: what tests and local runs start with. */
  public static SecurityOptions none() {
    return new SecurityOptions(Optional.empty(), AccessTokens.none(), false);
  }
}
