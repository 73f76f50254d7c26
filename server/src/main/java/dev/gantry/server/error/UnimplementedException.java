package dev.gantry.server.error;

/** The server does not implement the requested call or feature. */
public final class UnimplementedException extends GantryException {
  public UnimplementedException(String message) {
    super(ErrorCode.UNIMPLEMENTED, message);
  }

  public UnimplementedException(String message, Throwable cause) {
    super(ErrorCode.UNIMPLEMENTED, message, cause);
  }
}
