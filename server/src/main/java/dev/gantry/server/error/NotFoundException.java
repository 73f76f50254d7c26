package dev.gantry.server.error;

/** The request names a model or version that the server does not have. */
public final class NotFoundException extends GantryException {
  public NotFoundException(String message) {
    super(ErrorCode.NOT_FOUND, message);
  }

  public NotFoundException(String message, Throwable cause) {
    super(ErrorCode.NOT_FOUND, message, cause);
  }
}
