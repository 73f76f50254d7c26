package dev.gantry.server.error;

/**
 * The root of the errors the server reports to callers. Each subclass stands for one {@link
 * ErrorCode}, so code can throw, catch and document the precise failure by type while transports
 * map the code in one place; the message is what the caller reads, so it names the field at fault
 * and the value that was expected.
 */
public abstract sealed class GantryException extends RuntimeException
    permits InvalidArgumentException,
        NotFoundException,
        AlreadyExistsException,
        UnavailableException,
        ResourceExhaustedException,
        DeadlineExceededException,
        CancelledException,
        UnimplementedException,
        FailedPreconditionException,
        InternalException,
        UnauthenticatedException,
        PermissionDeniedException {
  private final ErrorCode code;

  protected GantryException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  protected GantryException(ErrorCode code, String message, Throwable cause) {
    super(message, cause, false, true);
    this.code = code;
  }

  /** What kind of failure this is. */
  public ErrorCode code() {
    return code;
  }
}
