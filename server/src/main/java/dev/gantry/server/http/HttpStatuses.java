package dev.gantry.server.http;

import io.grpc.Status;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The one table from the status a call ended with to the HTTP status that answers it. The message
 * stays the gRPC path's own, so both protocols explain a refusal in the same words.
 */
final class HttpStatuses {
  /** nginx's "client closed request": the caller went away, so nobody reads it anyway. */
  private static final HttpResponseStatus CLIENT_CLOSED =
      new HttpResponseStatus(499, "Client Closed Request");

  private HttpStatuses() {}

  static HttpResponseStatus of(Status.Code code) {
    return switch (code) {
      case OK -> HttpResponseStatus.OK;
      case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> HttpResponseStatus.BAD_REQUEST;
      case NOT_FOUND -> HttpResponseStatus.NOT_FOUND;
      case ALREADY_EXISTS, ABORTED -> HttpResponseStatus.CONFLICT;
      case UNAVAILABLE -> HttpResponseStatus.SERVICE_UNAVAILABLE;
      case RESOURCE_EXHAUSTED -> HttpResponseStatus.TOO_MANY_REQUESTS;
      case DEADLINE_EXCEEDED -> HttpResponseStatus.GATEWAY_TIMEOUT;
      case CANCELLED -> CLIENT_CLOSED;
      case UNIMPLEMENTED -> HttpResponseStatus.NOT_IMPLEMENTED;
      case UNAUTHENTICATED -> HttpResponseStatus.UNAUTHORIZED;
      case PERMISSION_DENIED -> HttpResponseStatus.FORBIDDEN;
      case INTERNAL, UNKNOWN, DATA_LOSS -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
    };
  }

  /** The answer to a call that ended with this status. */
  static HttpAnswer answer(Status status) {
    HttpAnswer answer = HttpAnswer.error(of(status.getCode()),
        status.getDescription() == null ? status.getCode().name() : status.getDescription());
    if (status.getCode() == Status.Code.UNAUTHENTICATED) {
      answer.headers().set("WWW-Authenticate", "Bearer realm=\"gantry\"");
    }
    return answer;
  }
}
