package dev.gantry.client;

import java.util.Optional;

/**
 * One of the top classes a server returned for an output requested with {@link
 * OutputOption#classCount(int)}, parsed from the protocol's {@code "value:index[:label]"} string.
 *
 * @param value the output's value at that class, as the server printed it
 * @param index the class's index in the output
 * @param label the class's label, when the model has a label file for the output
 */
public record Classification(double value, int index, Optional<String> label) {
  /**
   * @throws IllegalArgumentException if the text is not {@code value:index[:label]}
   */
  static Classification parse(String text) {
    String[] parts = text.split(":", 3);
    try {
      if (parts.length < 2) {
        throw new NumberFormatException("no index");
      }
      return new Classification(Double.parseDouble(parts[0]), Integer.parseInt(parts[1]),
          parts.length == 3 ? Optional.of(parts[2]) : Optional.empty());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "not a classification \"value:index[:label]\": \"" + text + "\"", e);
    }
  }
}
