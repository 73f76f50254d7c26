package dev.gantry.server.error;

/** The backend failed while executing the request; not the caller's fault. */
public final class InternalException extends GantryException {
  public InternalException(String message) {
    super(ErrorCode.INTERNAL, message);
  }

  public InternalException(String message, Throwable cause) {
    super(ErrorCode.INTERNAL, message, cause);
  }
}
