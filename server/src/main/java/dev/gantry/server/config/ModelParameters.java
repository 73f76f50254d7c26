package dev.gantry.server.config;

import dev.gantry.proto.ModelConfig;
import dev.gantry.spi.ModelLoadException;
import java.util.OptionalLong;

/**
 * Reads Gantry's own settings from a configuration's {@code parameters} map (the execution
 * timeout, execution on arrival), so that each is parsed and refused the same way.
 */
public final class ModelParameters {
  private ModelParameters() {}

  /**
   * The parameter as a whole number from 0 to {@code max}; empty when the configuration does not
   * set it.
   *
   * @param takes what the parameter takes, for the message, e.g. {@code "milliseconds, 0 or
   *     more"}
   * @throws ModelLoadException naming the parameter, its value and what it takes
   */
  public static OptionalLong wholeNumber(ModelConfig config, String name, long max, String takes)
      throws ModelLoadException {
    if (!config.getParametersMap().containsKey(name)) {
      return OptionalLong.empty();
    }
    String value = config.getParametersMap().get(name).getStringValue();
    long number;
    try {
      number = Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      number = -1;
    }
    if (number < 0 || number > max) {
      throw new ModelLoadException(
          "parameter " + name + " is '" + value + "'; it takes " + takes);
    }
    return OptionalLong.of(number);
  }
}
