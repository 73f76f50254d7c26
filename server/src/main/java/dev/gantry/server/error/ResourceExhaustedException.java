package dev.gantry.server.error;

/** A limit was reached: a full queue, or a request larger than the server accepts. */
public final class ResourceExhaustedException extends GantryException {
  public ResourceExhaustedException(String message) {
    super(ErrorCode.RESOURCE_EXHAUSTED, message);
  }

  public ResourceExhaustedException(String message, Throwable cause) {
    super(ErrorCode.RESOURCE_EXHAUSTED, message, cause);
  }
}
