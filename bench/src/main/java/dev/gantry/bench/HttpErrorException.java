package dev.gantry.bench;

/**
 * An HTTP inference ({@code -i http}) that did not succeed: the server answered with a status other
 * than 200, or with a 200 whose body does not add up. It carries the name the error breakdown
 * counts it under, {@code HTTP_<status>} as gRPC failures are counted by status code, so that the
 * two protocols' reports read alike.
 */
final class HttpErrorException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The code of a 200 answer whose JSON header and binary data do not match. */
  static final String MALFORMED = "HTTP_MALFORMED_RESPONSE";

  private final String code;

  private HttpErrorException(String code, String message) {
    super(message);
    this.code = code;
  }

  /** An answer with this status and the server's error message. */
  static HttpErrorException status(int status, String message) {
    return new HttpErrorException("HTTP_" + status, "HTTP " + status + ": " + message);
  }

  /** A 200 answer that cannot be taken apart as the binary tensor data extension lays it out. */
  static HttpErrorException malformed(String message) {
    return new HttpErrorException(MALFORMED, "malformed response: " + message);
  }

  /** The name of the failure in the error breakdown. */
  String code() {
    return code;
  }
}
