package dev.gantry.bench;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnsafeByteOperations;
import dev.gantry.proto.GRPCInferenceServiceGrpc;
import dev.gantry.proto.ModelConfig;
import dev.gantry.proto.ModelConfigRequest;
import dev.gantry.proto.ModelConfigResponse;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferResponse;
import dev.gantry.proto.ModelMetadataRequest;
import dev.gantry.proto.ModelMetadataResponse;
import dev.gantry.proto.ModelMetadataResponse.TensorMetadata;
import dev.gantry.proto.ModelReadyRequest;
import dev.gantry.proto.ModelReadyResponse;
import dev.gantry.proto.ServerLiveRequest;
import dev.gantry.proto.ServerLiveResponse;
import dev.gantry.proto.ServerMetadataRequest;
import dev.gantry.proto.ServerMetadataResponse;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.TreeMap;

/**
 * The floor of the payload and tiny-model benchmarks: a grpc-java server configured as Gantry's
 * transport is (the direct executor, no limit on message size) that answers the suite's identity
 * models and its tiny model by sending each request's tensors back as the outputs, and does
 * nothing else. It parses a request as Gantry does, a large one with one copy that its bytes
 * fields alias, so its CPU per request is what the transport costs for messages of the same sizes
 * on the same machine, without a model, validation, a queue or metrics.
 *
 * <p>It answers what the load generator asks of a model (ServerMetadata, ModelReady,
 * ModelMetadata, ModelConfig) and ModelInfer; anything else is UNIMPLEMENTED. It lists no
 * extensions, so the generator asks it for no statistics.
 */
public final class EchoServer {
  private final Server server;

  private EchoServer(Server server) {
    this.server = server;
  }

  /** Serves on {@code port} (0 for any free port). */
  public static EchoServer start(int port) throws IOException {
    Server server = Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create())
        .directExecutor()
        .maxInboundMessageSize(Integer.MAX_VALUE)
        .addService(service())
        .build()
        .start();
    return new EchoServer(server);
  }

  public int port() {
    return server.getPort();
  }

  public void stop() throws InterruptedException {
    server.shutdownNow().awaitTermination();
  }

  /** Serves until killed; prints the port it listens on. */
  public static void main(String[] args) throws IOException, InterruptedException {
    EchoServer echo = start(args.length > 0 ? Integer.parseInt(args[0]) : 0);
    System.out.println("echo listening on port " + echo.port());
    echo.server.awaitTermination();
  }

  /** The echo's service, with ModelInfer's requests parsed by {@link AliasingRequests}. */
  private static ServerServiceDefinition service() {
    ServerServiceDefinition plain = new Echo().bindService();
    String infer = GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName();
    ServerServiceDefinition.Builder service =
        ServerServiceDefinition.builder(plain.getServiceDescriptor().getName());
    for (ServerMethodDefinition<?, ?> method : plain.getMethods()) {
      if (method.getMethodDescriptor().getFullMethodName().equals(infer)) {
        service.addMethod(aliasing(method));
      } else {
        service.addMethod(method);
      }
    }
    return service.build();
  }

  @SuppressWarnings("unchecked")
  private static ServerMethodDefinition<ModelInferRequest, ModelInferResponse> aliasing(
      ServerMethodDefinition<?, ?> method) {
    var infer = (ServerMethodDefinition<ModelInferRequest, ModelInferResponse>) method;
    MethodDescriptor<ModelInferRequest, ModelInferResponse> descriptor =
        infer.getMethodDescriptor();
    return ServerMethodDefinition.create(descriptor.toBuilder(
            new AliasingRequests(descriptor.getRequestMarshaller()),
            descriptor.getResponseMarshaller()).build(),
        infer.getServerCallHandler());
  }

  /**
   * Parses a request of {@link #ALIASED_BYTES} or more as Gantry's transport does: one copy out of
   * the transport's buffers into an array that the message's bytes fields then alias; smaller
   * ones with grpc-java's marshaller, as Gantry does too.
   */
  private record AliasingRequests(MethodDescriptor.Marshaller<ModelInferRequest> plain)
      implements MethodDescriptor.Marshaller<ModelInferRequest> {
    /** Gantry's threshold ({@code DirectBufferPool.MIN_BYTES}). */
    private static final int ALIASED_BYTES = 64 * 1024;

    @Override
    public InputStream stream(ModelInferRequest value) {
      return plain.stream(value);
    }

    @Override
    public ModelInferRequest parse(InputStream stream) {
      try {
        int size = stream.available();
        if (!(stream instanceof KnownLength) || size < ALIASED_BYTES) {
          return plain.parse(stream);
        }
        byte[] bytes = new byte[size];
        if (stream.readNBytes(bytes, 0, size) != size) {
          throw new IOException("the message ended before its announced " + size + " bytes");
        }
        CodedInputStream input = UnsafeByteOperations.unsafeWrap(bytes).newCodedInput();
        input.enableAliasing(true);
        return ModelInferRequest.parseFrom(input);
      } catch (IOException e) {
        throw Status.INVALID_ARGUMENT.withDescription("the request does not parse: " + e)
            .asRuntimeException();
      }
    }
  }

  /** A model the echo answers for: its tensors, all FP32 {@code [-1, width]}. */
  private record Echoed(String[] inputs, String[] outputs, long width, int maxBatch) {}

  /** The models the echo answers for, by name. */
  private static Map<String, Echoed> echoed() {
    Map<String, Echoed> models = new TreeMap<>();
    for (int kib : BenchModels.IDENTITY_KIB) {
      models.put(BenchModels.identity(kib), new Echoed(
          new String[] {BenchModels.IDENTITY_INPUT}, new String[] {BenchModels.IDENTITY_OUTPUT},
          BenchModels.identityFloats(kib), BenchModels.IDENTITY_MAX_BATCH));
    }
    models.put(BenchModels.TINY, new Echoed(BenchModels.TINY_INPUTS, BenchModels.TINY_OUTPUTS,
        BenchModels.TINY_WIDTH, BenchModels.TINY_MAX_BATCH));
    return models;
  }

  private static final class Echo extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
    private final Map<String, Echoed> models = echoed();

    @Override
    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> out) {
      out.onNext(ServerLiveResponse.newBuilder().setLive(true).build());
      out.onCompleted();
    }

    @Override
    public void serverMetadata(
        ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> out) {
      out.onNext(ServerMetadataResponse.newBuilder().setName("echo").setVersion("1").build());
      out.onCompleted();
    }

    @Override
    public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> out) {
      out.onNext(ModelReadyResponse.newBuilder()
          .setReady(models.containsKey(request.getName()))
          .build());
      out.onCompleted();
    }

    @Override
    public void modelMetadata(
        ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> out) {
      Echoed model = models.get(request.getName());
      if (model == null) {
        out.onError(unknown(request.getName()));
        return;
      }
      ModelMetadataResponse.Builder metadata = ModelMetadataResponse.newBuilder()
          .setName(request.getName())
          .addVersions("1")
          .setPlatform("echo");
      for (String input : model.inputs()) {
        metadata.addInputs(tensor(input, model.width()));
      }
      for (String output : model.outputs()) {
        metadata.addOutputs(tensor(output, model.width()));
      }
      out.onNext(metadata.build());
      out.onCompleted();
    }

    @Override
    public void modelConfig(ModelConfigRequest request, StreamObserver<ModelConfigResponse> out) {
      Echoed model = models.get(request.getName());
      if (model == null) {
        out.onError(unknown(request.getName()));
        return;
      }
      out.onNext(ModelConfigResponse.newBuilder()
          .setConfig(ModelConfig.newBuilder()
              .setName(request.getName())
              .setMaxBatchSize(model.maxBatch()))
          .build());
      out.onCompleted();
    }

    /** Sends input i back as output i, with its datatype and shape. */
    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
      Echoed model = models.get(request.getModelName());
      if (model == null) {
        out.onError(unknown(request.getModelName()));
        return;
      }
      int tensors = model.inputs().length;
      if (request.getInputsCount() != tensors || request.getRawInputContentsCount() != tensors) {
        out.onError(Status.INVALID_ARGUMENT
            .withDescription("the echo of '" + request.getModelName() + "' takes " + tensors
                + " inputs in raw_input_contents")
            .asRuntimeException());
        return;
      }
      ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
          .setModelName(request.getModelName())
          .setModelVersion("1")
          .setId(request.getId());
      for (int i = 0; i < tensors; i++) {
        ModelInferRequest.InferInputTensor input = request.getInputs(i);
        response.addOutputs(ModelInferResponse.InferOutputTensor.newBuilder()
                .setName(model.outputs()[i])
                .setDatatype(input.getDatatype())
                .addAllShape(input.getShapeList()))
            .addRawOutputContents(request.getRawInputContents(i));
      }
      out.onNext(response.build());
      out.onCompleted();
    }

    private static TensorMetadata tensor(String name, long floats) {
      return TensorMetadata.newBuilder()
          .setName(name)
          .setDatatype("FP32")
          .addShape(-1)
          .addShape(floats)
          .build();
    }

    private static RuntimeException unknown(String model) {
      return Status.NOT_FOUND
          .withDescription("the echo serves only the identity models and tiny, not '" + model + "'")
          .asRuntimeException();
    }
  }
}
