package dev.gantry.bench;

import dev.gantry.client.InferInput;
import dev.gantry.client.InferRequest;
import dev.gantry.client.InferResult;
import dev.gantry.client.InferOutput;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the client's requests from the prepared data once, before measuring, and reads responses
 * the way an application would; shared by the unary and streaming issuers.
 */
final class InferRequests {
  private InferRequests() {}

  /** One immutable request per data entry, each input sent raw without a copy of its bytes. */
  static List<InferRequest> build(ModelInfo model, List<RequestData> data) {
    List<InferRequest> requests = new ArrayList<>();
    for (RequestData entry : data) {
      InferRequest.Builder request = InferRequest.builder(model.name());
      if (!model.version().isEmpty()) {
        request.version(model.version());
      }
      for (TensorData input : entry.inputs()) {
        request.input(InferInput.raw(input.name(), input.datatype(), input.data(), input.shape()));
      }
      requests.add(request.build());
    }
    return requests;
  }

  /** Takes every output out of a response as a typed view; returns the nanoseconds it took. */
  static long read(InferResult result) {
    long start = System.nanoTime();
    result.outputs().forEach(InferOutput::buffer);
    return System.nanoTime() - start;
  }
}
