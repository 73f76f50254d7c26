package dev.gantry.bench;

import dev.gantry.client.InferenceClientException;
import dev.gantry.spi.InferenceException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Names the failure of a request by its gRPC status code, or {@code HTTP_<status>} with
 * {@code -i http}, the way the report groups errors; failures that carry no status (a backend's own
 * exception in-process, a client-side bug) get a name too.
 */
final class ErrorCodes {
  private ErrorCodes() {}

  static String of(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof InferenceClientException client) {
      return client.code().name();
    }
    if (cause instanceof HttpErrorException http) {
      return http.code();
    }
    if (cause instanceof InferenceException) {
      return "INTERNAL";
    }
    if (cause instanceof NotLiveException) {
      return "NOT_LIVE";
    }
    return "CLIENT_" + cause.getClass().getSimpleName();
  }
}
