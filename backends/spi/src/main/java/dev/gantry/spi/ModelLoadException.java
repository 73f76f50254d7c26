package dev.gantry.spi;

/** A model version could not be loaded; the message is the reason shown to operators. */
public class ModelLoadException extends Exception {
  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
