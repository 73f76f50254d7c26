package dev.gantry.bench;

/**
 * The run cannot start: the target is unreachable, the model is not ready or cannot be loaded, or
 * the input data does not fit it. The command prints the message and exits with status 3.
 */
final class SetupException extends Exception {
  private static final long serialVersionUID = 1L;

  SetupException(String message) {
    super(message);
  }

  SetupException(String message, Throwable cause) {
    super(message, cause);
  }
}
