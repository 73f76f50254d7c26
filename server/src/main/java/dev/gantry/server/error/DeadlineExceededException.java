package dev.gantry.server.error;

/** The request's deadline or queue timeout passed before it could run. */
public final class DeadlineExceededException extends GantryException {
  public DeadlineExceededException(String message) {
    super(ErrorCode.DEADLINE_EXCEEDED, message);
  }

  public DeadlineExceededException(String message, Throwable cause) {
    super(ErrorCode.DEADLINE_EXCEEDED, message, cause);
  }
}
