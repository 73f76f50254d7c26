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
   * Refuses the parameters of features Gantry does not have on the request itself, rather than
   * ignoring them and answering something else than was asked.
   */
  static void checkSupported(Map<String, InferParameter> parameters, LoadedVersion model) {
    String unsupported = firstUnsupported(parameters);
    if (unsupported != null) {
      throw unsupported("", unsupported, model);
    }
  }

  /**
   * As {@link #checkSupported(Map, LoadedVersion)}, for the parameters of one input or output.
   *
   * @param list the repeated field the tensor is in ({@code inputs}, {@code outputs})
   * @param index the tensor's position in it
   */
  static void checkSupported(
      String list, int index, Map<String, InferParameter> parameters, LoadedVersion model) {
    String unsupported = firstUnsupported(parameters);
    if (unsupported != null) {
      throw unsupported(list + "[" + index + "].", unsupported, model);
    }
  }

  private static String firstUnsupported(Map<String, InferParameter> parameters) {
    if (parameters.isEmpty()) {
      return null;
    }
    for (String name : parameters.keySet()) {
      if (UNSUPPORTED.contains(name)) {
        return name;
      }
    }
    return null;
  }

  private static UnimplementedException unsupported(
      String where, String name, LoadedVersion model) {
    return new UnimplementedException(
        where + "parameter '" + name + "' is not supported by Gantry (" + model.label() + ")");
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
    if (parameters.isEmpty()) {
      return 0;
    }
    InferParameter parameter = parameters.get(name);
    return parameter == null ? 0 : integer(parameter, "parameter '" + name + "'");
  }

  static long integer(
      Map<String, InferParameter> parameters, String name, String field) {
    InferParameter parameter = parameters.get(name);
    return parameter == null ? 0 : integer(parameter, field);
  }

  private static long integer(InferParameter parameter, String field) {
    return switch (parameter.getParameterChoiceCase()) {
      case INT64_PARAM -> parameter.getInt64Param();
      case UINT64_PARAM -> parameter.getUint64Param();
      default -> throw new InvalidArgumentException(
          field + " must be an int64_param or uint64_param, got "
              + parameter.getParameterChoiceCase().name().toLowerCase());
    };
  }
}
