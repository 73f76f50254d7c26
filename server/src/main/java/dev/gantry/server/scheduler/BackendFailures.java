package dev.gantry.server.scheduler;

import dev.gantry.server.error.GantryException;
import dev.gantry.server.error.InternalException;
import dev.gantry.server.error.InvalidArgumentException;
import dev.gantry.server.logging.ThrottledLog;
import dev.gantry.spi.InferenceException;
import dev.gantry.spi.InvalidInputException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The error the requests of a batch get when the backend's execute threw, by what it threw:
 *
 * <ul>
 *   <li>{@link InvalidInputException} (the runtime refused the inputs): INVALID_ARGUMENT with the
 *       backend's description of the inputs when the batch held one request, whose fault it is;
 *       for a batch of several, INTERNAL saying that one of them is at fault (which one is not
 *       known). The runtime's own message is logged, once per 10 s with a count, since any client
 *       can cause it.
 *   <li>{@link InferenceException}, the backend's documented failure: INTERNAL with its message.
 *   <li>Anything else, a bug: INTERNAL naming only the class; the stack trace goes to the log.
 * </ul>
 */
final class BackendFailures {
  private static final Logger log = LoggerFactory.getLogger(BackendFailures.class);
  private static final ThrottledLog refusedInputs = new ThrottledLog(log, Duration.ofSeconds(10));

  private BackendFailures() {}

  static GantryException of(String label, Throwable failure, int requests) {
    if (failure instanceof InvalidInputException invalid) {
      refusedInputs.warn(label + ": the backend refused a batch of " + requests
          + " requests as invalid input: " + (invalid.getCause() == null
              ? invalid.getMessage() : invalid.getCause().getMessage()));
      return requests == 1
          ? new InvalidArgumentException(label + " cannot take this input: "
              + invalid.getMessage())
          : new InternalException(label + " failed to execute a batch of " + requests
              + " requests: the backend refused the batch's inputs as invalid, because of one of "
              + "the requests; " + invalid.getMessage());
    }
    if (failure instanceof InferenceException) {
      return new InternalException(label + " failed to execute: " + failure.getMessage());
    }
    log.error("{} failed to execute a batch of {} requests", label, requests, failure);
    return new InternalException(label + " failed to execute: the backend raised "
        + failure.getClass().getSimpleName() + "; the server log has the details");
  }
}
