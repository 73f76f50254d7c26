package dev.gantry.bench;

import dev.gantry.client.InferenceClient;
import dev.gantry.client.TensorDatatype;
import dev.gantry.proto.ModelMetadataResponse;
import dev.gantry.proto.ModelMetadataResponse.TensorMetadata;
import java.util.ArrayList;
import java.util.List;

/**
 * Describes a model served remotely from its ModelMetadata (inputs, datatypes, shapes) and its
 * ModelConfig ({@code max_batch_size}), the two calls any Open Inference Protocol server answers.
 */
final class RemoteModel {
  private RemoteModel() {}

  static ModelInfo describe(InferenceClient client, String model, String version) {
    ModelMetadataResponse metadata = client.modelMetadata(model, version);
    int maxBatchSize = client.modelConfig(model, version).getMaxBatchSize();
    List<InputSpec> inputs = new ArrayList<>();
    for (TensorMetadata input : metadata.getInputsList()) {
      inputs.add(new InputSpec(
          input.getName(),
          TensorDatatype.fromWireName(input.getDatatype()),
          input.getShapeList().stream().mapToLong(Long::longValue).toArray()));
    }
    List<String> outputs = metadata.getOutputsList().stream().map(TensorMetadata::getName).toList();
    return new ModelInfo(model, version, maxBatchSize, inputs, outputs);
  }
}
