package dev.gantry.server.transport;

import dev.gantry.server.error.CancelledException;
import dev.gantry.server.error.DeadlineExceededException;
import dev.gantry.server.error.FailedPreconditionException;
import dev.gantry.server.error.GantryException;
import dev.gantry.server.error.InternalException;
import dev.gantry.server.error.InvalidArgumentException;
import dev.gantry.server.error.NotFoundException;
import dev.gantry.server.error.PermissionDeniedException;
import dev.gantry.server.error.ResourceExhaustedException;
import dev.gantry.server.error.UnauthenticatedException;
import dev.gantry.server.error.UnavailableException;
import dev.gantry.server.error.UnimplementedException;
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
    if (error instanceof InvalidArgumentException) {
      return Status.Code.INVALID_ARGUMENT;
    } else if (error instanceof NotFoundException) {
      return Status.Code.NOT_FOUND;
    } else if (error instanceof UnavailableException) {
      return Status.Code.UNAVAILABLE;
    } else if (error instanceof ResourceExhaustedException) {
      return Status.Code.RESOURCE_EXHAUSTED;
    } else if (error instanceof DeadlineExceededException) {
      return Status.Code.DEADLINE_EXCEEDED;
    } else if (error instanceof CancelledException) {
      return Status.Code.CANCELLED;
    } else if (error instanceof UnimplementedException) {
      return Status.Code.UNIMPLEMENTED;
    } else if (error instanceof FailedPreconditionException) {
      return Status.Code.FAILED_PRECONDITION;
    } else if (error instanceof InternalException) {
      return Status.Code.INTERNAL;
    } else if (error instanceof UnauthenticatedException) {
      return Status.Code.UNAUTHENTICATED;
    } else if (error instanceof PermissionDeniedException) {
      return Status.Code.PERMISSION_DENIED;
    }
    throw new IllegalStateException("unmapped error " + error.getClass().getName());
  }
}
