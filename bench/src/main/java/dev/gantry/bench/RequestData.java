package dev.gantry.bench;

import java.util.List;

/**
 * The inputs of one benchmark request. The benchmark sends a fixed set of these round-robin, so
 * that generating data costs nothing while it measures.
 *
 * @param inputs one tensor per model input
 */
record RequestData(List<TensorData> inputs) {
  RequestData {
    inputs = List.copyOf(inputs);
  }

  /** The bytes of all inputs together: the request's payload. */
  long payloadBytes() {
    long total = 0;
    for (TensorData input : inputs) {
      total += input.byteSize();
    }
    return total;
  }
}
