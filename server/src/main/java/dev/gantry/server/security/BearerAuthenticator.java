package dev.gantry.server.security;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import dev.gantry.server.error.PermissionDeniedException;
import dev.gantry.server.error.UnauthenticatedException;
import java.util.Optional;

/**
 * Guards the metrics HTTP endpoint with the same bearer tokens as the gRPC port: any valid token
 * may scrape (the inference role suffices, as for model statistics). Without a valid token the
 * answer is 401 with {@code WWW-Authenticate: Bearer}, as RFC 6750 asks.
 */
public final class BearerAuthenticator extends Authenticator {
  private final AccessTokens tokens;

  public BearerAuthenticator(AccessTokens tokens) {
    this.tokens = tokens;
  }

  @Override
  public Result authenticate(HttpExchange exchange) {
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    try {
      tokens.authorize("the metrics endpoint", Optional.ofNullable(header), Role.INFERENCE);
      return new Success(new HttpPrincipal("bearer", "gantry"));
    } catch (UnauthenticatedException e) {
      exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"gantry\"");
      return new Retry(401);
    } catch (PermissionDeniedException e) {
      return new Failure(403);
    }
  }
}
