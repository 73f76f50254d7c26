package dev.gantry.bench;

import dev.gantry.client.TensorDatatype;

/**
 * One input of the model under test as its server or model file declares it, with -1 for
 * dimensions that vary per request; the benchmark turns it into concrete tensors.
 *
 * @param name the input's name
 * @param datatype its element type
 * @param shape its declared shape, the batch dimension included when the model batches
 */
record InputSpec(String name, TensorDatatype datatype, long[] shape) {
  InputSpec {
    shape = shape.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }
}
