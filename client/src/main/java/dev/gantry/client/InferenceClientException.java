package dev.gantry.client;

import io.grpc.Metadata;
import io.grpc.Status;

/**
 * The one exception every failed call of this client surfaces as.
 *
 * <p>Callers handle a single unchecked type whatever went wrong — the server refused the request,
 * the deadline passed, the connection dropped, a stream request failed — and branch on {@link
 * #code()} when the reason matters. {@link #serverMessage()} is the text the server (or the gRPC
 * runtime, for transport failures) gave; {@link #status()} and {@link #trailers()} are the whole
 * gRPC status and the trailers it came with, for servers that put details there.
 */
public final class InferenceClientException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Status.Code code;
  private final String serverMessage;
  private final transient Status status;
  private final transient Metadata trailers;

  /**
   * An exception for a failure with this gRPC status code and message, and no trailers.
   *
   * @param code the status code; {@link Status.Code#UNKNOWN} when the protocol carried none
   * @param serverMessage the server's message, or an empty string
   * @param cause the underlying failure, or {@code null}
   */
  public InferenceClientException(Status.Code code, String serverMessage, Throwable cause) {
    this(Status.fromCode(code).withDescription(serverMessage.isEmpty() ? null : serverMessage),
        new Metadata(), cause);
  }

  /**
   * An exception for a failure with this gRPC status and the trailers it came with.
   *
   * @param status the call's status
   * @param trailers the call's trailers; empty when there were none
   * @param cause the underlying failure, or {@code null}
   */
  public InferenceClientException(Status status, Metadata trailers, Throwable cause) {
    super(status.getCode() + (status.getDescription() == null || status.getDescription().isEmpty()
        ? "" : ": " + status.getDescription()), cause);
    this.code = status.getCode();
    this.serverMessage = status.getDescription() == null ? "" : status.getDescription();
    this.status = status;
    this.trailers = trailers;
  }

  /** The gRPC status code of the failure. */
  public Status.Code code() {
    return code;
  }

  /** The server's description of the failure; empty if it gave none. */
  public String serverMessage() {
    return serverMessage;
  }

  /** The call's full gRPC status: code, description and the cause the gRPC runtime attached. */
  public Status status() {
    return status;
  }

  /** The trailers the call closed with (for example {@code grpc-status-details-bin}). */
  public Metadata trailers() {
    return trailers;
  }

  /** The exception for whatever a gRPC call failed with. */
  static InferenceClientException from(Throwable failure) {
    if (failure instanceof InferenceClientException) {
      return (InferenceClientException) failure;
    }
    Metadata trailers = Status.trailersFromThrowable(failure);
    return new InferenceClientException(Status.fromThrowable(failure),
        trailers == null ? new Metadata() : trailers, failure);
  }

  /** The same failure, with the stack of the thread that rethrows it. */
  InferenceClientException rethrownHere() {
    return new InferenceClientException(status, trailers, this);
  }
}
