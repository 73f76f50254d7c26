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
 *       backend's description of the inputs. It reaches a request only from an execution of that
 *       request alone: a batch of several that the backend refuses runs again request by request
 *       ({@link InstanceWorker}), so the fault is the request's own. The runtime's own message is
 *       logged, once per 10 s with a count, since any client can cause it.
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
      logRefused(label, invalid, requests);
      return new InvalidArgumentException(label + " cannot take this input: "
          + invalid.getMessage());
    }
    if (failure instanceof InferenceException) {
      return new InternalException(label + " failed to execute: " + failure.getMessage());
    }
    log.error("{} failed to execute a batch of {} requests", label, requests, failure);
    return new InternalException(label + " failed to execute: the backend raised "
        + failure.getClass().getSimpleName() + "; the server log has the details");
  }

  /** Logs, throttled, that the backend refused a batch's inputs, with the runtime's message. */
  static void logRefused(String label, InvalidInputException invalid, int requests) {
    refusedInputs.warn(label + ": the backend refused a batch of " + requests
        + " requests as invalid input: " + (invalid.getCause() == null
            ? invalid.getMessage() : invalid.getCause().getMessage()));
  }
}
