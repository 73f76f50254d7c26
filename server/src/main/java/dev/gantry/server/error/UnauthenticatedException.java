package dev.gantry.server.error;

/**
 * The call carries no credentials, or credentials the server does not know: the caller must say
 * who it is before anything else is answered.
 */
public final class UnauthenticatedException extends GantryException {
  public UnauthenticatedException(String message) {
    super(ErrorCode.UNAUTHENTICATED, message);
  }
}
