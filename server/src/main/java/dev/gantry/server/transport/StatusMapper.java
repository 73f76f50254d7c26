package dev.gantry.server.transport;

import dev.gantry.server.error.GantryException;
import dev.gantry.server.security.ClientMessages;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where server errors become gRPC statuses. A {@link GantryException} keeps its
 * message, passed through {@link ClientMessages#sanitize} so that no file-system path, stack trace
 * or oversized echo reaches the caller; anything else is a bug, logged here with its stack trace
 * and reported to the caller as INTERNAL without internals.
 */
public final class StatusMapper {
  private static final Logger log = LoggerFactory.getLogger(StatusMapper.class);

  private StatusMapper() {}

  public static Status toStatus(Throwable error) {
    if (error instanceof GantryException known) {
      return codeOf(known).toStatus().withDescription(ClientMessages.sanitize(known.getMessage()));
    }
    if (error instanceof StatusRuntimeException grpc) {
      return grpc.getStatus();
    }
    log.error("unexpected error while serving a call", error);
    return Status.INTERNAL.withDescription("internal error: " + error.getClass().getSimpleName());
  }

  public static StatusRuntimeException toException(Throwable error) {
    return toStatus(error).asRuntimeException();
  }

  private static Status.Code codeOf(GantryException error) {
    return switch (error.code()) {
      case INVALID_ARGUMENT -> Status.Code.INVALID_ARGUMENT;
      case NOT_FOUND -> Status.Code.NOT_FOUND;
      case ALREADY_EXISTS -> Status.Code.ALREADY_EXISTS;
      case UNAVAILABLE -> Status.Code.UNAVAILABLE;
      case RESOURCE_EXHAUSTED -> Status.Code.RESOURCE_EXHAUSTED;
      case DEADLINE_EXCEEDED -> Status.Code.DEADLINE_EXCEEDED;
      case CANCELLED -> Status.Code.CANCELLED;
      case UNIMPLEMENTED -> Status.Code.UNIMPLEMENTED;
      case FAILED_PRECONDITION -> Status.Code.FAILED_PRECONDITION;
      case INTERNAL -> Status.Code.INTERNAL;
      case UNAUTHENTICATED -> Status.Code.UNAUTHENTICATED;
      case PERMISSION_DENIED -> Status.Code.PERMISSION_DENIED;
    };
  }
}
