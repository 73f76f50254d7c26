package dev.gantry.server.validation;

import com.google.protobuf.ByteString;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferRequest.InferInputTensor;
import dev.gantry.proto.ModelInput;
import dev.gantry.server.error.InvalidArgumentException;
import dev.gantry.server.error.ResourceExhaustedException;
import dev.gantry.server.memory.SharedMemoryRegistry;
import dev.gantry.server.memory.SharedMemorySlice;
import dev.gantry.server.model.LoadedVersion;
import dev.gantry.spi.BytesElements;
import dev.gantry.spi.DataType;
import dev.gantry.spi.Shapes;
import dev.gantry.spi.Tensor;
import dev.gantry.spi.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Checks a {@code ModelInferRequest} against the model it names and turns it into tensors, before
 * anything is queued. Every rejection is an {@link InvalidArgumentException} (or, for limits, a
 * {@link ResourceExhaustedException}) whose message names the field at fault and what was expected.
 */
public final class RequestValidator {
  private final long maxElementsPerTensor;
  private final long maxBytesElementBytes;
  private final SharedMemoryReferences sharedMemory;

  /**
   * @param maxElementsPerTensor the most elements one input may have, checked before allocating
   * @param maxBytesElementBytes the most bytes one element of a BYTES input may have, checked
   *     while its lengths are read, before its data is copied
   * @param sharedMemory the regions inputs and outputs may name in {@code shared_memory_region}
   */
  public RequestValidator(
      long maxElementsPerTensor, long maxBytesElementBytes, SharedMemoryRegistry sharedMemory) {
    this.maxElementsPerTensor = maxElementsPerTensor;
    this.maxBytesElementBytes = maxBytesElementBytes;
    this.sharedMemory = new SharedMemoryReferences(sharedMemory);
  }

  public ValidRequest validate(ModelInferRequest request, LoadedVersion model) {
    InferParameters.checkSupported(request.getParametersMap(), model);
    for (int i = 0; i < request.getInputsCount(); i++) {
      InferParameters.checkSupported("inputs", i, request.getInputs(i).getParametersMap(), model);
    }
    List<TensorSpec> specs = model.signature().inputs();
    InferInputTensor[] given = new InferInputTensor[specs.size()];
    int[] rawPositions = new int[specs.size()];
    SharedMemorySlice[] slices = null;
    int rawInputs = 0;
    for (int i = 0; i < request.getInputsCount(); i++) {
      InferInputTensor input = request.getInputs(i);
      int index = model.signature().inputIndex(input.getName());
      if (index < 0) {
        throw new InvalidArgumentException(
            "inputs[" + i + "]: unknown input '" + input.getName() + "' for " + model.label()
                + "; expected one of " + names(specs));
      }
      if (given[index] != null) {
        throw new InvalidArgumentException(
            "inputs[" + i + "]: input '" + input.getName() + "' is given more than once");
      }
      given[index] = input;
      if (SharedMemoryReferences.uses(input.getParametersMap())) {
        slices = slices == null ? new SharedMemorySlice[specs.size()] : slices;
        slices[index] = sharedMemory.slice("input '" + input.getName() + "'",
            "inputs[" + i + "].", input.getParametersMap());
      } else {
        rawPositions[index] = rawInputs++;
      }
    }
    boolean raw = request.getRawInputContentsCount() > 0;
    if (raw && request.getRawInputContentsCount() != rawInputs) {
      throw new InvalidArgumentException(
          "raw_input_contents has " + request.getRawInputContentsCount() + " entries but inputs "
              + "has " + rawInputs + " not in shared memory; send one entry per such "
              + "input, in order");
    }
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    long batchSize = -1;
    String batchInput = null;
    for (int index = 0; index < specs.size(); index++) {
      TensorSpec spec = specs.get(index);
      InferInputTensor input = given[index];
      if (input == null) {
        if (isOptional(model, spec.name())) {
          continue;
        }
        throw new InvalidArgumentException(
            "missing input '" + spec.name() + "' required by " + model.label()
                + "; expected inputs " + names(specs));
      }
      long[] shape = checkShape(input, spec, model);
      if (model.maxBatchSize() > 0) {
        if (batchInput != null && shape[0] != batchSize) {
          throw new InvalidArgumentException(
              "input '" + spec.name() + "' has batch size " + shape[0] + " but input '"
                  + batchInput + "' has " + batchSize + "; all inputs must agree");
        }
        batchSize = shape[0];
        batchInput = spec.name();
      }
      ByteBuffer data;
      if (slices != null && slices[index] != null) {
        data = sharedMemoryData(input, spec, shape, slices[index]);
      } else if (raw) {
        int position = rawPositions[index];
        data = rawData(input, spec, shape, request.getRawInputContents(position), position);
      } else {
        data = typedData(input, spec, shape);
      }
      inputs.put(spec.name(), new Tensor(spec.dataType(), shape, data));
    }
    return new ValidRequest(
        inputs,
        RequestedOutputs.names(request, model),
        RequestedOutputs.classCounts(request, model),
        sharedMemory.outputRegions(request),
        model.maxBatchSize() > 0 ? batchSize : 1,
        InferParameters.priorityLevel(request.getParametersMap(), model),
        InferParameters.timeoutNanos(request.getParametersMap()));
  }

  private long[] checkShape(InferInputTensor input, TensorSpec spec, LoadedVersion model) {
    String name = input.getName();
    if (!input.getDatatype().equals(spec.dataType().name())) {
      String problem = DataType.fromWireName(input.getDatatype()).isPresent()
          ? "datatype " + input.getDatatype() + " does not match the model's "
          : "unknown datatype '" + input.getDatatype() + "'; the model expects ";
      throw new InvalidArgumentException("input '" + name + "': " + problem + spec.dataType());
    }
    long[] expected = spec.shape();
    long[] shape = new long[input.getShapeCount()];
    for (int d = 0; d < shape.length; d++) {
      shape[d] = input.getShape(d);
    }
    if (shape.length != expected.length) {
      throw new InvalidArgumentException(
          "input '" + name + "': shape " + Shapes.format(shape) + " has rank " + shape.length
              + " but the model expects rank " + expected.length + " " + Shapes.format(expected)
              + (model.maxBatchSize() > 0 ? " (the first dimension is the batch size)" : ""));
    }
    for (int d = 0; d < shape.length; d++) {
      if (shape[d] < 0) {
        throw new InvalidArgumentException(
            "input '" + name + "': shape " + Shapes.format(shape) + " has negative dimension "
                + shape[d] + " at index " + d);
      }
      if (expected[d] != Shapes.VARIABLE && expected[d] != shape[d]) {
        throw new InvalidArgumentException(
            "input '" + name + "': dimension " + d + " is " + shape[d] + " but the model expects "
                + expected[d] + " (shape " + Shapes.format(expected) + ")");
      }
    }
    if (model.maxBatchSize() > 0) {
      if (shape[0] < 1) {
        throw new InvalidArgumentException(
            "input '" + name + "': batch size (dimension 0) must be at least 1, got " + shape[0]);
      }
      if (shape[0] > model.maxBatchSize()) {
        throw new InvalidArgumentException(
            "input '" + name + "': batch size " + shape[0] + " exceeds max_batch_size "
                + model.maxBatchSize() + " of " + model.label());
      }
    }
    long elements;
    try {
      elements = Shapes.elementCount(shape);
    } catch (ArithmeticException e) {
      throw new InvalidArgumentException(
          "input '" + name + "': shape " + Shapes.format(shape) + " has more elements than fit in "
              + "a 64-bit count");
    }
    if (elements > maxElementsPerTensor) {
      throw new ResourceExhaustedException(
          "input '" + name + "': shape " + Shapes.format(shape) + " has " + elements
              + " elements, over the server's limit of " + maxElementsPerTensor);
    }
    return shape;
  }

  private ByteBuffer rawData(
      InferInputTensor input, TensorSpec spec, long[] shape, ByteString raw, int position) {
    if (input.hasContents()) {
      throw new InvalidArgumentException(
          "input '" + input.getName() + "' has contents while the request also uses "
              + "raw_input_contents; send every input one way");
    }
    return checkedBytes(input.getName(), () -> "raw_input_contents[" + position + "]", spec, shape,
        raw.asReadOnlyByteBuffer());
  }

  /**
   * An input's data in a shared-memory region: the mapped bytes themselves for fixed-size
   * datatypes; a copy for BYTES, whose element lengths the client could change after they were
   * checked.
   */
  private ByteBuffer sharedMemoryData(
      InferInputTensor input, TensorSpec spec, long[] shape, SharedMemorySlice slice) {
    String name = input.getName();
    if (input.hasContents()) {
      throw new InvalidArgumentException("input '" + name + "' has contents while its "
          + "parameters place it in shared memory; send it one way");
    }
    ByteBuffer data = slice.view();
    if (spec.dataType() == DataType.BYTES) {
      data = ByteBuffer.allocate(data.remaining()).put(data).flip();
    }
    return checkedBytes(
        name, () -> SharedMemoryReferences.REGION + " '" + slice.region() + "'", spec, shape, data);
  }

  /**
   * Checks that serialised data fits the input's datatype and shape.
   *
   * @param field where the data came from, named only in messages, so built only for them
   */
  private ByteBuffer checkedBytes(
      String name, Supplier<String> field, TensorSpec spec, long[] shape, ByteBuffer data) {
    long elements = Shapes.elementCount(shape);
    if (spec.dataType() == DataType.BYTES) {
      long found;
      try {
        found = BytesElements.count(data);
      } catch (IllegalArgumentException e) {
        throw new InvalidArgumentException(
            "input '" + name + "': " + field.get() + " is not valid BYTES data: " + e.getMessage());
      }
      if (found != elements) {
        throw new InvalidArgumentException(
            "input '" + name + "': " + field.get() + " holds " + found
                + " BYTES elements but shape " + Shapes.format(shape) + " needs " + elements);
      }
      checkBytesElementSizes(name, field.get(), data);
      return data;
    }
    long expected = elements * spec.dataType().elementSize();
    if (data.remaining() != expected) {
      throw new InvalidArgumentException(
          "input '" + name + "': " + field.get() + " has " + data.remaining()
              + " bytes but " + spec.dataType() + " " + Shapes.format(shape) + " needs " + expected);
    }
    return data;
  }

  /** Each element of serialised BYTES data, already checked by BytesElements, within the limit. */
  private void checkBytesElementSizes(String input, String field, ByteBuffer serialized) {
    ByteBuffer data = serialized.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    for (long element = 0; data.hasRemaining(); element++) {
      long length = Integer.toUnsignedLong(data.getInt());
      checkBytesElementSize(input, field, element, length, maxBytesElementBytes);
      data.position(data.position() + (int) length);
    }
  }

  /**
   * @throws ResourceExhaustedException when one BYTES element is over the server's limit
   */
  static void checkBytesElementSize(
      String input, String field, long element, long length, long limit) {
    if (length > limit) {
      throw new ResourceExhaustedException(
          "input '" + input + "': " + field + " element " + element + " has " + length
              + " bytes, over the server's limit of " + limit + " bytes per BYTES element");
    }
  }

  private ByteBuffer typedData(InferInputTensor input, TensorSpec spec, long[] shape) {
    if (!input.hasContents()) {
      throw new InvalidArgumentException(
          "input '" + input.getName() + "' has no data: set its contents or send "
              + "raw_input_contents");
    }
    return InputContentsDecoder.toBytes(input.getName(), spec.dataType(), input.getContents(),
        Shapes.elementCount(shape), maxBytesElementBytes);
  }

  /** Whether the configuration marks an input optional; only asked when an input is missing. */
  private static boolean isOptional(LoadedVersion model, String input) {
    for (ModelInput declared : model.config().getInputList()) {
      if (declared.getName().equals(input)) {
        return declared.getOptional();
      }
    }
    return false;
  }

  static List<String> names(List<TensorSpec> specs) {
    return specs.stream().map(TensorSpec::name).toList();
  }
}
