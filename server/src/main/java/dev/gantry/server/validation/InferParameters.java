package dev.gantry.server.validation;

import dev.gantry.proto.InferParameter;
import dev.gantry.server.error.InvalidArgumentException;
import dev.gantry.server.error.UnimplementedException;
import dev.gantry.server.model.LoadedVersion;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Reads the {@code parameters} of an inference request the server acts on (priority, timeout),
 * checks their types and ranges, and refuses those of features Gantry does not have.
 */
final class InferParameters {
  /**
   * Parameters of features Gantry does not have (sequences), refused with UNIMPLEMENTED; other
   * unknown parameters pass through unread, as in Triton.
   */
  private static final Set<String> UNSUPPORTED =
      Set.of("sequence_id", "sequence_start", "sequence_end");

  private InferParameters() {}

  /**
   * Refuses the parameters of features Gantry does not have, on the request or on an input or
   * output, rather than ignoring them and answering something else than was asked.
   *
   * @param where the field path of the parameters, {@code ""} for the request's own
   */
  static void checkSupported(
      String where, Map<String, InferParameter> parameters, LoadedVersion model) {
    for (String name : parameters.keySet()) {
      if (UNSUPPORTED.contains(name)) {
        throw new UnimplementedException(
            where + "parameter '" + name + "' is not supported by Gantry (" + model.label() + ")");
      }
    }
  }

  static int priorityLevel(Map<String, InferParameter> parameters, LoadedVersion model) {
    int levels = model.scheduler().policy().priorityLevels();
    long priority = integer(parameters, "priority");
    if (priority == 0) {
      return model.scheduler().policy().defaultPriorityLevel();
    }
    if (priority < 0 || priority > levels) {
      throw new InvalidArgumentException(
          "parameter 'priority' is " + Long.toUnsignedString(priority) + " but " + model.label()
              + " has priority levels 1 to " + levels + " (0 for its default)");
    }
    return (int) priority;
  }

  static long timeoutNanos(Map<String, InferParameter> parameters) {
    long micros = integer(parameters, "timeout");
    if (micros < 0) {
      throw new InvalidArgumentException(
          "parameter 'timeout' must be 0 or more microseconds, got " + micros);
    }
    return TimeUnit.MICROSECONDS.toNanos(micros);
  }

  private static long integer(Map<String, InferParameter> parameters, String name) {
    return integer(parameters, name, "parameter '" + name + "'");
  }

  static long integer(
      Map<String, InferParameter> parameters, String name, String field) {
    InferParameter parameter = parameters.get(name);
    if (parameter == null) {
      return 0;
    }
    return switch (parameter.getParameterChoiceCase()) {
      case INT64_PARAM -> parameter.getInt64Param();
      case UINT64_PARAM -> parameter.getUint64Param();
      default -> throw new InvalidArgumentException(
          field + " must be an int64_param or uint64_param, got "
              + parameter.getParameterChoiceCase().name().toLowerCase());
    };
  }
}
