package dev.gantry.server.error;

/** The request is malformed or does not fit the model: wrong name, datatype, shape, size or contents. */
public final class InvalidArgumentException extends GantryException {
  public InvalidArgumentException(String message) {
    super(ErrorCode.INVALID_ARGUMENT, message);
  }

  public InvalidArgumentException(String message, Throwable cause) {
    super(ErrorCode.INVALID_ARGUMENT, message, cause);
  }
}
