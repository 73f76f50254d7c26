package dev.gantry.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns the declared input shapes of a model into the concrete shapes of the benchmark's requests:
 * the batch dimension set to the batch size when the model batches, and every other variable
 * dimension taken from {@code --shape}.
 *
 * <p>Fails with a message naming the input and the option to use, so that a run never starts with
 * requests the server would refuse.
 */
final class ShapeResolver {
  private ShapeResolver() {}

  /**
   * The concrete shape of every input, in the model's order.
   *
   * @param overrides shapes from {@code --shape}, without the batch dimension when the model batches
   * @throws IllegalArgumentException when the batch size does not suit the model, an override does
   *     not fit the declared shape, or a variable dimension is left without a size
   */
  static Map<String, long[]> resolve(ModelInfo model, int batchSize, Map<String, long[]> overrides) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("--batch-size must be 1 or more, got " + batchSize);
    }
    if (!model.batches() && batchSize > 1) {
      throw new IllegalArgumentException(
          "model '" + model.name() + "' does not batch (max_batch_size 0); --batch-size must be 1");
    }
    if (model.batches() && batchSize > model.maxBatchSize()) {
      throw new IllegalArgumentException(
          "--batch-size " + batchSize + " exceeds max_batch_size " + model.maxBatchSize()
              + " of model '" + model.name() + "'");
    }
    for (String name : overrides.keySet()) {
      if (model.inputs().stream().noneMatch(input -> input.name().equals(name))) {
        throw new IllegalArgumentException(
            "--shape names input '" + name + "', which model '" + model.name() + "' does not have");
      }
    }
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (InputSpec input : model.inputs()) {
      long[] declared = input.shape();
      long[] item = model.batches() ? Arrays.copyOfRange(declared, 1, declared.length) : declared;
      long[] concrete = itemShape(input.name(), item, overrides.get(input.name()));
      shapes.put(input.name(), model.batches() ? withBatch(batchSize, concrete) : concrete);
    }
    return shapes;
  }

  private static long[] itemShape(String name, long[] declared, long[] override) {
    if (override == null) {
      for (long dim : declared) {
        if (dim < 0) {
          throw new IllegalArgumentException(
              "input '" + name + "' has shape " + format(declared)
                  + " with a variable dimension; give its size with --shape " + name + ":d1,d2,...");
        }
      }
      return declared;
    }
    if (override.length != declared.length) {
      throw new IllegalArgumentException(
          "--shape " + name + " has " + override.length + " dimensions but the input's shape "
              + format(declared) + " has " + declared.length + " (leave out the batch dimension)");
    }
    for (int i = 0; i < declared.length; i++) {
      if (override[i] < 1 || (declared[i] >= 0 && declared[i] != override[i])) {
        throw new IllegalArgumentException(
            "--shape " + name + ":" + format(override) + " does not fit the input's shape "
                + format(declared) + " at dimension " + i);
      }
    }
    return override.clone();
  }

  private static long[] withBatch(int batchSize, long[] item) {
    long[] shape = new long[item.length + 1];
    shape[0] = batchSize;
    System.arraycopy(item, 0, shape, 1, item.length);
    return shape;
  }

  static String format(long[] shape) {
    return Arrays.toString(shape).replace(" ", "");
  }
}
