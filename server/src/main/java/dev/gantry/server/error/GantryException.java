package dev.gantry.server.error;

/**
 * The root of the errors the server reports to callers. Each subclass stands for one gRPC status;
 * the transport maps them in one place, and the message is what the caller reads, so it names the
 * field at fault and the value that was expected.
 */
public abstract sealed class GantryException extends RuntimeException
    permits InvalidArgumentException,
        NotFoundException,
        UnavailableException,
        ResourceExhaustedException,
        DeadlineExceededException,
        CancelledException,
        UnimplementedException,
        FailedPreconditionException,
        InternalException,
        UnauthenticatedException,
        PermissionDeniedException {
  protected GantryException(String message) {
    super(message, null, false, false);
  }

  protected GantryException(String message, Throwable cause) {
    super(message, cause, false, true);
  }
}
