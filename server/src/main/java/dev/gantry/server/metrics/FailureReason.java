package dev.gantry.server.metrics;

import dev.gantry.server.error.GantryException;

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
    return switch (error.code()) {
      case RESOURCE_EXHAUSTED -> REJECTED;
      case DEADLINE_EXCEEDED -> TIMED_OUT;
      case CANCELLED -> CANCELLED;
      case UNAVAILABLE -> UNAVAILABLE;
      case INTERNAL -> BACKEND_ERROR;
      case INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, UNIMPLEMENTED, FAILED_PRECONDITION,
          UNAUTHENTICATED, PERMISSION_DENIED -> INVALID;
    };
  }

  /** The reason's name in metric labels. */
  String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * The reason Triton's failure counter gives for a {@link #label}: {@code REJECTED} for what the
   * scheduler refused or timed out, {@code CANCELED}, {@code BACKEND}, and {@code OTHER}.
   */
  static String tritonLabel(String label) {
    return switch (valueOf(label.toUpperCase(java.util.Locale.ROOT))) {
      case REJECTED, TIMED_OUT -> "REJECTED";
      case CANCELLED -> "CANCELED";
      case BACKEND_ERROR -> "BACKEND";
      case INVALID, UNAVAILABLE -> "OTHER";
    };
  }
}
