package dev.gantry.spi;

import java.util.Arrays;

/**
 * What a model declares about one of its inputs or outputs: a name, a datatype, and a shape in
 * which {@link Shapes#VARIABLE} (-1) marks a dimension that varies per request.
 */
public record TensorSpec(String name, DataType dataType, long[] shape) {
  public TensorSpec {
    shape = shape.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TensorSpec that
        && name.equals(that.name)
        && dataType == that.dataType
        && Arrays.equals(shape, that.shape);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * name.hashCode() + dataType.hashCode()) + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + ":" + dataType + Shapes.format(shape);
  }
}
