package dev.gantry.server.transport;

import com.google.protobuf.UnsafeByteOperations;
import dev.gantry.proto.ModelInferResponse;
import dev.gantry.proto.ModelInferResponse.InferOutputTensor;
import dev.gantry.server.model.LoadedVersion;
import dev.gantry.spi.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Builds the {@code ModelInferResponse} of a finished request. Outputs always travel as
 * {@code raw_output_contents}, wrapping the backend's buffers without copying them: grpc-java
 * serialises the message inside {@code onNext}, while the buffers are still ours.
 */
final class InferResponses {
  private InferResponses() {}

  static ModelInferResponse encode(
      LoadedVersion model, String id, List<String> outputs, Map<String, Tensor> tensors) {
    ModelInferResponse.Builder response =
        ModelInferResponse.newBuilder()
            .setModelName(model.name())
            .setModelVersion(Long.toString(model.version()))
            .setId(id);
    for (String name : outputs) {
      Tensor tensor = tensors.get(name);
      InferOutputTensor.Builder output =
          response.addOutputsBuilder().setName(name).setDatatype(tensor.dataType().name());
      for (int d = 0; d < tensor.rank(); d++) {
        output.addShape(tensor.dim(d));
      }
      response.addRawOutputContents(UnsafeByteOperations.unsafeWrap(tensor.data()));
    }
    return response.build();
  }
}
