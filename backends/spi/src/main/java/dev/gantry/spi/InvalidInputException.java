package dev.gantry.spi;

/**
 * The runtime refused the inputs of a batch as invalid for the model (a shape, size or value the
 * model cannot take, such as an empty image for a convolution or BYTES that are not the text the
 * model reads): the caller's fault, not the server's. The message describes the inputs in terms
 * of the request, without the runtime's internals, which the backend logs; the server answers
 * INVALID_ARGUMENT when the batch held one request. Being a distinct type, it also lets the
 * server tell a batch failed by one bad request from a runtime failure.
 */
public class InvalidInputException extends InferenceException {
  public InvalidInputException(String message) {
    super(message);
  }

  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
