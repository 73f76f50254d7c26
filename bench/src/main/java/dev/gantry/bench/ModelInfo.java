package dev.gantry.bench;

import java.util.List;

/**
 * What the benchmark needs to know about the model under test to build valid requests, whether it
 * came from a server's ModelMetadata and ModelConfig or from a model file loaded in-process.
 *
 * @param name the model's name
 * @param version the version asked for; empty to let the server choose
 * @param maxBatchSize the largest batch the model takes, 0 when it has no batch dimension
 * @param inputs the model's inputs
 * @param outputs the names of the model's outputs
 */
record ModelInfo(
    String name, String version, int maxBatchSize, List<InputSpec> inputs, List<String> outputs) {
  ModelInfo {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  /** Whether the first dimension of every input is the batch dimension. */
  boolean batches() {
    return maxBatchSize > 0;
  }
}
