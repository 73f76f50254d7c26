package dev.gantry.server.transport;

import dev.gantry.server.error.GantryException;
import dev.gantry.server.security.AccessPolicy;
import dev.gantry.server.security.AccessTokens;
import dev.gantry.server.security.Role;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a call through only when its bearer token's role allows the method ({@link
 * AccessPolicy}); otherwise closes it at once with UNAUTHENTICATED or PERMISSION_DENIED, before
 * its request is read. Installed on every service the server runs.
 */
public final class AuthInterceptor implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger(AuthInterceptor.class);
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final AccessTokens tokens;

  public AuthInterceptor(AccessTokens tokens) {
    this.tokens = tokens;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    Optional<Role> required = AccessPolicy.required(method);
    if (required.isPresent()) {
      try {
        String name = call.getMethodDescriptor().getBareMethodName();
        tokens.authorize(name == null ? method : name, Optional.ofNullable(headers.get(AUTHORIZATION)),
            required.get());
      } catch (GantryException refused) {
        log.debug("refused {} from {}: {}", method,
            call.getAttributes().get(io.grpc.Grpc.TRANSPORT_ATTR_REMOTE_ADDR), refused.getMessage());
        call.close(StatusMapper.toStatus(refused), new Metadata());
        return new ServerCall.Listener<>() {};
      }
    }
    return next.startCall(call, headers);
  }
}
