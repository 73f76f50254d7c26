package dev.gantry.spi;

/** The runtime failed to execute a batch; the message is sent to the requests of that batch. */
public class InferenceException extends Exception {
  public InferenceException(String message) {
    super(message);
  }

  public InferenceException(String message, Throwable cause) {
    super(message, cause);
  }
}
