package dev.gantry.server.metrics;

import dev.gantry.server.error.CancelledException;
import dev.gantry.server.error.DeadlineExceededException;
import dev.gantry.server.error.GantryException;
import dev.gantry.server.error.InternalException;
import dev.gantry.server.error.ResourceExhaustedException;
import dev.gantry.server.error.UnavailableException;

/** Why a request to a model failed, as the per-model failure counters split it. */
public enum FailureReason {
  /** The request did not fit the model or asked for something unsupported. */
  INVALID,
  /** A queue was full or a limit was reached. */
  REJECTED,
  /** Its deadline or queue timeout passed while it was queued. */
  TIMED_OUT,
  /** Its caller cancelled or went away. */
  CANCELLED,
  /** The model was unloading. */
  UNAVAILABLE,
  /** The backend failed to execute its batch. */
  BACKEND_ERROR;

  /** The reason an error stands for. */
  public static FailureReason of(GantryException error) {
    if (error instanceof ResourceExhaustedException) {
      return REJECTED;
    } else if (error instanceof DeadlineExceededException) {
      return TIMED_OUT;
    } else if (error instanceof CancelledException) {
      return CANCELLED;
    } else if (error instanceof UnavailableException) {
      return UNAVAILABLE;
    } else if (error instanceof InternalException) {
      return BACKEND_ERROR;
    }
    return INVALID;
  }

  /** The reason's name in metric names and labels. */
  String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
