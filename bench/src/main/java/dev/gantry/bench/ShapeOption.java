package dev.gantry.bench;

import java.util.Arrays;

/**
 * One {@code --shape NAME:d1,d2,...}: the size of an input's variable dimensions, without the batch
 * dimension when the model batches. The name is everything before the last colon, so that names
 * such as {@code input:0} work.
 *
 * @param name the input's name
 * @param dims its dimensions
 */
record ShapeOption(String name, long[] dims) {
  ShapeOption {
    dims = dims.clone();
  }

  @Override
  public long[] dims() {
    return dims.clone();
  }

  static ShapeOption parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("expected NAME:d1,d2,..., got '" + text + "'");
    }
    try {
      long[] dims = Arrays.stream(text.substring(colon + 1).split(","))
          .mapToLong(dim -> Long.parseLong(dim.trim()))
          .toArray();
      return new ShapeOption(text.substring(0, colon), dims);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("dimensions must be whole numbers in '" + text + "'", e);
    }
  }
}
