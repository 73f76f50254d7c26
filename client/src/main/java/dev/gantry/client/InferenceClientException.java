package dev.gantry.client;

import io.grpc.Status;

/**
 * The one exception every failed call of this client surfaces as.
 *
 * <p>Callers handle a single unchecked type whatever went wrong — the server refused the request,
 * the deadline passed, the connection dropped, a stream request failed — and branch on {@link
 * #code()} when the reason matters. {@link #serverMessage()} is the text the server (or the gRPC
 * runtime, for transport failures) gave.
 */
public final class InferenceClientException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Status.Code code;
  private final String serverMessage;

  /**
   * An exception for a failure with this gRPC status code and message.
   *
   * @param code the status code; {@link Status.Code#UNKNOWN} when the protocol carried none
   * @param serverMessage the server's message, or an empty string
   * @param cause the underlying failure, or {@code null}
   */
  public InferenceClientException(Status.Code code, String serverMessage, Throwable cause) {
    super(code + (serverMessage.isEmpty() ? "" : ": " + serverMessage), cause);
    this.code = code;
    this.serverMessage = serverMessage;
  }

  /** The gRPC status code of the failure. */
  public Status.Code code() {
    return code;
  }

  /** The server's description of the failure; empty if it gave none. */
  public String serverMessage() {
    return serverMessage;
  }

  /** The exception for whatever a gRPC call failed with. */
  static InferenceClientException from(Throwable failure) {
    if (failure instanceof InferenceClientException) {
      return (InferenceClientException) failure;
    }
    Status status = Status.fromThrowable(failure);
    String description = status.getDescription();
    return new InferenceClientException(
        status.getCode(), description == null ? "" : description, failure);
  }

  /** The same failure, with the stack of the thread that rethrows it. */
  InferenceClientException rethrownHere() {
    return new InferenceClientException(code, serverMessage, this);
  }
}
