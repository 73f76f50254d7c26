package dev.gantry.client;

import dev.gantry.proto.InferParameter;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferRequest.InferInputTensor;
import dev.gantry.proto.ModelInferRequest.InferRequestedOutputTensor;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One inference request: the model, its inputs, the outputs wanted and the request options.
 *
 * <p>Assembles the protocol message once, with every input's data in {@code raw_input_contents}, so
 * that the same request can be sent blocking, asynchronously or on a stream, and sent again,
 * without re-encoding. Immutable; build one with {@link #builder(String)}.
 */
public final class InferRequest {
  private final ModelInferRequest message;
  private final Duration deadline;

  private InferRequest(ModelInferRequest message, Duration deadline) {
    this.message = message;
    this.deadline = deadline;
  }

  /** A builder for a request to the model with this name. */
  public static Builder builder(String modelName) {
    return new Builder(modelName);
  }

  /** The name of the model the request is for. */
  public String modelName() {
    return message.getModelName();
  }

  /** The request id; empty if none was set. */
  public String id() {
    return message.getId();
  }

  /** The deadline for this request alone, overriding the client's default. */
  public Optional<Duration> deadline() {
    return Optional.ofNullable(deadline);
  }

  /** The protocol message. */
  ModelInferRequest message() {
    return message;
  }

  /** Builds an {@link InferRequest}. */
  public static final class Builder {
    private final ModelInferRequest.Builder message = ModelInferRequest.newBuilder();
    private final Set<String> inputNames = new HashSet<>();
    private Duration deadline;

    private Builder(String modelName) {
      message.setModelName(Objects.requireNonNull(modelName, "modelName"));
    }

    /**
     * The model version, or a version label the server understands; by default the server picks.
     */
    public Builder version(String version) {
      message.setModelVersion(version);
      return this;
    }

    /** The numeric model version. */
    public Builder version(long version) {
      return version(Long.toString(version));
    }

    /** The request id, echoed in the response. */
    public Builder id(String id) {
      message.setId(id);
      return this;
    }

    /**
     * Adds an input tensor.
     *
     * @throws IllegalArgumentException if an input of the same name was already added
     */
    public Builder input(InferInput input) {
      if (!inputNames.add(input.name())) {
        throw new IllegalArgumentException("input \"" + input.name() + "\" was added twice");
      }
      InferInputTensor.Builder tensor =
          InferInputTensor.newBuilder()
              .setName(input.name())
              .setDatatype(input.datatype().wireName());
      for (long dimension : input.shape()) {
        tensor.addShape(dimension);
      }
      if (input.sharedMemoryRange() != null) {
        message.addInputs(tensor.putAllParameters(input.sharedMemoryRange().parameters()));
      } else {
        message.addInputs(tensor).addRawInputContents(input.contents());
      }
      return this;
    }

    /** Adds input tensors. */
    public Builder inputs(InferInput... inputs) {
      for (InferInput input : inputs) {
        input(input);
      }
      return this;
    }

    /** Asks for these outputs only. Without any, the server returns every output of the model. */
    public Builder outputs(String... names) {
      for (String name : names) {
        output(name);
      }
      return this;
    }

    /**
     * Asks for this output, returned as the options say (for example {@link
     * OutputOption#classCount(int)}). Without any output requested, the server returns every
     * output of the model.
     */
    public Builder output(String name, OutputOption... options) {
      InferRequestedOutputTensor.Builder output =
          InferRequestedOutputTensor.newBuilder().setName(Objects.requireNonNull(name, "name"));
      for (OutputOption option : options) {
        option.applyTo(output);
      }
      message.addOutputs(output);
      return this;
    }

    /**
     * The scheduling priority, sent as the {@code priority} parameter; how values rank is the
     * server's choice.
     */
    public Builder priority(long priority) {
      return parameter("priority", priority);
    }

    /**
     * How long the server may keep the request queued, the {@code timeout} parameter, sent in
     * microseconds. Unlike {@link #deadline}, this is enforced by the server's scheduler.
     */
    public Builder timeout(Duration timeout) {
      return parameter("timeout", TimeUnit.MICROSECONDS.convert(timeout));
    }

    /** A string request parameter. */
    public Builder parameter(String name, String value) {
      return parameter(name, InferParameter.newBuilder().setStringParam(value));
    }

    /** An integer request parameter. */
    public Builder parameter(String name, long value) {
      return parameter(name, InferParameter.newBuilder().setInt64Param(value));
    }

    /** A boolean request parameter. */
    public Builder parameter(String name, boolean value) {
      return parameter(name, InferParameter.newBuilder().setBoolParam(value));
    }

    /** A floating-point request parameter. */
    public Builder parameter(String name, double value) {
      return parameter(name, InferParameter.newBuilder().setDoubleParam(value));
    }

    /**
     * How long the client waits for this request's response before failing it with {@code
     * DEADLINE_EXCEEDED}; overrides the client's default deadline. On a stream, the stream's
     * deadline applies instead.
     */
    public Builder deadline(Duration deadline) {
      if (deadline.isNegative() || deadline.isZero()) {
        throw new IllegalArgumentException("deadline must be positive: " + deadline);
      }
      this.deadline = deadline;
      return this;
    }

    /** The request. */
    public InferRequest build() {
      return new InferRequest(message.build(), deadline);
    }

    private Builder parameter(String name, InferParameter.Builder value) {
      message.putParameters(Objects.requireNonNull(name, "name"), value.build());
      return this;
    }
  }
}
