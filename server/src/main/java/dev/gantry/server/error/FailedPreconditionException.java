package dev.gantry.server.error;

/** The call is valid but the server is not in a state to perform it, e.g. the wrong control mode. */
public final class FailedPreconditionException extends GantryException {
  public FailedPreconditionException(String message) {
    super(ErrorCode.FAILED_PRECONDITION, message);
  }
}
