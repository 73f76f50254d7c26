package dev.gantry.server.error;

/** The model or server cannot take the request now: not ready, loading, unloading or shutting down. */
public final class UnavailableException extends GantryException {
  public UnavailableException(String message) {
    super(ErrorCode.UNAVAILABLE, message);
  }

  public UnavailableException(String message, Throwable cause) {
    super(ErrorCode.UNAVAILABLE, message, cause);
  }
}
