package dev.gantry.backend.tensorflow;

import dev.gantry.spi.ModelLoadException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Which part of a SavedModel to serve, from a model configuration's {@code parameters}: the meta
 * graph by its tag set and the signature by its key.
 *
 * <ul>
 *   <li>{@code saved_model_tags}: the tag set, comma-separated; default {@value #DEFAULT_TAG}, the
 *       tag exporters give serving graphs.
 *   <li>{@code signature_name}: the signature key; default {@value #DEFAULT_SIGNATURE}, the key
 *       exporters give the serving function.
 * </ul>
 *
 * @param tags the meta graph's tags, none blank
 * @param signatureKey the served signature's key, not blank
 */
record SavedModelSelection(List<String> tags, String signatureKey) {
  static final String TAGS = "saved_model_tags";
  static final String SIGNATURE_NAME = "signature_name";
  static final String DEFAULT_TAG = "serve";
  static final String DEFAULT_SIGNATURE = "serving_default";

  SavedModelSelection {
    tags = List.copyOf(tags);
  }

  /**
   * @throws ModelLoadException naming the key when a value selects nothing
   */
  static SavedModelSelection from(Map<String, String> parameters) throws ModelLoadException {
    String tags = parameters.getOrDefault(TAGS, DEFAULT_TAG);
    List<String> tagList = Arrays.stream(tags.split(",", -1)).map(String::strip).toList();
    if (tagList.stream().anyMatch(String::isEmpty)) {
      throw new ModelLoadException(
          "parameter "
              + TAGS
              + " must be a comma-separated list of tags such as 'serve' or 'serve,gpu', got '"
              + tags
              + "'");
    }
    String signature = parameters.getOrDefault(SIGNATURE_NAME, DEFAULT_SIGNATURE).strip();
    if (signature.isEmpty()) {
      throw new ModelLoadException(
          "parameter "
              + SIGNATURE_NAME
              + " must name a signature such as 'serving_default', got '"
              + parameters.get(SIGNATURE_NAME)
              + "'");
    }
    return new SavedModelSelection(tagList, signature);
  }
}
