package dev.gantry.server.error;

/** The caller cancelled the request or went away before it ran. */
public final class CancelledException extends GantryException {
  public CancelledException(String message) {
    super(ErrorCode.CANCELLED, message);
  }

  public CancelledException(String message, Throwable cause) {
    super(ErrorCode.CANCELLED, message, cause);
  }
}
