package dev.gantry.bench;

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
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The floor of the payload benchmarks: a grpc-java server, on grpc-java's defaults, that answers
 * the suite's identity models by sending each request's tensor back and does nothing else. Its
 * CPU per megabyte is what the transport alone costs for the same messages on the same machine,
 * which no server on grpc-java can go under.
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
        .addService(new Echo())
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

  /** The identity models by name, with the elements of one row. */
  private static Map<String, Long> identities() {
    Map<String, Long> models = new TreeMap<>();
    for (int kib : BenchModels.IDENTITY_KIB) {
      models.put(BenchModels.identity(kib), BenchModels.identityFloats(kib));
    }
    return models;
  }

  private static final class Echo extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
    private final Map<String, Long> models = identities();

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
      Long floats = models.get(request.getName());
      if (floats == null) {
        out.onError(unknown(request.getName()));
        return;
      }
      out.onNext(ModelMetadataResponse.newBuilder()
          .setName(request.getName())
          .addVersions("1")
          .setPlatform("echo")
          .addInputs(tensor(BenchModels.IDENTITY_INPUT, floats))
          .addOutputs(tensor(BenchModels.IDENTITY_OUTPUT, floats))
          .build());
      out.onCompleted();
    }

    @Override
    public void modelConfig(ModelConfigRequest request, StreamObserver<ModelConfigResponse> out) {
      if (!models.containsKey(request.getName())) {
        out.onError(unknown(request.getName()));
        return;
      }
      out.onNext(ModelConfigResponse.newBuilder()
          .setConfig(ModelConfig.newBuilder()
              .setName(request.getName())
              .setMaxBatchSize(BenchModels.IDENTITY_MAX_BATCH))
          .build());
      out.onCompleted();
    }

    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
      if (request.getInputsCount() != 1 || request.getRawInputContentsCount() != 1) {
        out.onError(Status.INVALID_ARGUMENT
            .withDescription("the echo takes one input in raw_input_contents")
            .asRuntimeException());
        return;
      }
      ModelInferRequest.InferInputTensor input = request.getInputs(0);
      out.onNext(ModelInferResponse.newBuilder()
          .setModelName(request.getModelName())
          .setModelVersion("1")
          .setId(request.getId())
          .addOutputs(ModelInferResponse.InferOutputTensor.newBuilder()
              .setName(BenchModels.IDENTITY_OUTPUT)
              .setDatatype(input.getDatatype())
              .addAllShape(input.getShapeList()))
          .addRawOutputContents(request.getRawInputContents(0))
          .build());
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
          .withDescription("the echo serves only the identity models, not '" + model + "'")
          .asRuntimeException();
    }
  }
}
