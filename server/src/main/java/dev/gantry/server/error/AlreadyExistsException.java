package dev.gantry.server.error;

/** The request would create something under a name that is already taken. */
public final class AlreadyExistsException extends GantryException {
  public AlreadyExistsException(String message) {
    super(ErrorCode.ALREADY_EXISTS, message);
  }
}
