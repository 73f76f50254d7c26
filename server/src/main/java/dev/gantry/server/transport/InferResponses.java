package dev.gantry.server.transport;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.gantry.proto.InferParameter;
import dev.gantry.proto.ModelInferResponse;
import dev.gantry.proto.ModelInferResponse.InferOutputTensor;
import dev.gantry.server.error.InternalException;
import dev.gantry.server.error.InvalidArgumentException;
import dev.gantry.server.memory.SharedMemorySlice;
import dev.gantry.server.model.LoadedVersion;
import dev.gantry.server.validation.ValidRequest;
import dev.gantry.spi.BytesElements;
import dev.gantry.spi.DataType;
import dev.gantry.spi.Shapes;
import dev.gantry.spi.Tensor;
import dev.gantry.spi.TensorSpec;
import java.util.List;
import java.util.Map;

/**
 * Builds the {@code ModelInferResponse} of a finished request, with the outputs that asked for
 * classification replaced by their top classes ({@link TopClasses}) and those placed in shared
 * memory written there. Other outputs travel as {@code raw_output_contents}, wrapping the
 * backend's buffers without copying them: grpc-java serialises the message inside {@code onNext},
 * while the buffers are still ours.
 *
 * <p>Each output is first checked against the model's signature, so that a backend that returns a
 * wrong datatype, shape or BYTES encoding fails its request with INTERNAL instead of sending the
 * client something it cannot read.
 */
final class InferResponses {
  private InferResponses() {}

  /**
   * @param request the validated request: the outputs it wants, how, and its batch size, which an
   *     output's first dimension must equal when the model batches
   * @throws InternalException when an output is missing or does not fit the signature
   * @throws InvalidArgumentException when an output does not fit its shared-memory window
   */
  static ModelInferResponse encode(
      LoadedVersion model, String id, ValidRequest request, Map<String, Tensor> tensors) {
    ModelInferResponse.Builder response =
        ModelInferResponse.newBuilder()
            .setModelName(model.name())
            .setModelVersion(Long.toString(model.version()))
            .setId(id);
    long batchSize = request.batchSize();
    for (String name : request.outputs()) {
      Tensor tensor = tensors.get(name);
      check(model, name, batchSize, tensor);
      Integer classCount = request.classCounts().get(name);
      if (classCount != null) {
        tensor = TopClasses.of(tensor, classCount, model.maxBatchSize() > 0 ? batchSize : 0,
            model.labels().of(name).orElse(List.of()));
      }
      InferOutputTensor.Builder output =
          InferOutputTensor.newBuilder().setName(name).setDatatype(tensor.dataType().name());
      for (int d = 0; d < tensor.rank(); d++) {
        output.addShape(tensor.dim(d));
      }
      SharedMemorySlice region = request.outputRegions().get(name);
      if (region == null) {
        response.addRawOutputContents(UnsafeByteOperations.unsafeWrap(tensor.data()));
      } else {
        writeToRegion(name, tensor, region, output);
        response.addRawOutputContents(ByteString.EMPTY);
      }
      response.addOutputs(output.build());
    }
    return response.build();
  }

  /**
   * Writes an output into the shared-memory window its request named, and says so in the output's
   * parameters: the region, the offset and the bytes written. Its entry in {@code
   * raw_output_contents} stays empty, keeping the entries paired with the outputs, as in Triton.
   *
   * @throws InvalidArgumentException when the window is too small for the output
   */
  private static void writeToRegion(
      String name, Tensor tensor, SharedMemorySlice region, InferOutputTensor.Builder output) {
    if (tensor.byteSize() > region.byteSize()) {
      throw new InvalidArgumentException("output '" + name + "' has " + tensor.byteSize()
          + " bytes (" + tensor + ") but its shared_memory_byte_size is " + region.byteSize()
          + "; give its region at least " + tensor.byteSize() + " bytes");
    }
    region.view().put(tensor.data());
    output.putParameters("shared_memory_region",
            InferParameter.newBuilder().setStringParam(region.region()).build())
        .putParameters("shared_memory_offset",
            InferParameter.newBuilder().setInt64Param(region.offset()).build())
        .putParameters("shared_memory_byte_size",
            InferParameter.newBuilder().setInt64Param(tensor.byteSize()).build());
  }

  private static void check(LoadedVersion model, String name, long batchSize, Tensor tensor) {
    String problem = problem(model, name, batchSize, tensor);
    if (problem != null) {
      throw new InternalException(
          model.label() + " returned a malformed result: output '" + name + "' " + problem);
    }
  }

  private static String problem(LoadedVersion model, String name, long batchSize, Tensor tensor) {
    if (tensor == null) {
      return "is missing";
    }
    TensorSpec spec = model.signature().output(name).orElse(null);
    if (spec == null) {
      return null;
    }
    if (tensor.dataType() != spec.dataType()) {
      return "is " + tensor.dataType() + " but the model declares " + spec.dataType();
    }
    long[] shape = tensor.shape();
    if (!Shapes.matches(spec.shape(), shape)) {
      return "has shape " + Shapes.format(shape) + " but the model declares "
          + Shapes.format(spec.shape());
    }
    if (model.maxBatchSize() > 0 && shape.length > 0 && shape[0] != batchSize) {
      return "has " + shape[0] + " items in dimension 0 but the request has batch size "
          + batchSize;
    }
    if (tensor.dataType() == DataType.BYTES) {
      try {
        long elements = BytesElements.count(tensor.data());
        if (elements != tensor.elementCount()) {
          return "holds " + elements + " BYTES elements but its shape " + Shapes.format(shape)
              + " needs " + tensor.elementCount();
        }
      } catch (IllegalArgumentException e) {
        return "is not valid BYTES data: " + e.getMessage();
      }
    }
    return null;
  }
}
