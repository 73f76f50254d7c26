package dev.gantry.client;

import com.google.protobuf.Message;
import dev.gantry.proto.GRPCInferenceServiceGrpc;
import dev.gantry.proto.InferParameter;
import dev.gantry.proto.ModelConfig;
import dev.gantry.proto.ModelConfigRequest;
import dev.gantry.proto.ModelConfigResponse;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferResponse;
import dev.gantry.proto.ModelMetadataRequest;
import dev.gantry.proto.ModelMetadataResponse;
import dev.gantry.proto.ModelReadyRequest;
import dev.gantry.proto.ModelReadyResponse;
import dev.gantry.proto.ModelStatistics;
import dev.gantry.proto.ModelStatisticsRequest;
import dev.gantry.proto.ModelStatisticsResponse;
import dev.gantry.proto.ModelStreamInferResponse;
import dev.gantry.proto.RepositoryIndexRequest;
import dev.gantry.proto.RepositoryIndexResponse;
import dev.gantry.proto.RepositoryModelLoadRequest;
import dev.gantry.proto.RepositoryModelLoadResponse;
import dev.gantry.proto.RepositoryModelUnloadRequest;
import dev.gantry.proto.RepositoryModelUnloadResponse;
import dev.gantry.proto.ServerLiveRequest;
import dev.gantry.proto.ServerLiveResponse;
import dev.gantry.proto.ServerMetadataRequest;
import dev.gantry.proto.ServerMetadataResponse;
import dev.gantry.proto.ServerReadyRequest;
import dev.gantry.proto.ServerReadyResponse;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * A hand-written Open Inference Protocol server for tests.
 *
 * <p>Echoes every input back as an output ({@code INPUTn} becomes {@code OUTPUTn}), answers the
 * other calls for one model named {@code simple}, records what it receives, and can be told to fail
 * calls or to hold streams back. Request parameters steer an inference: {@code delay_ms} delays the
 * answer, and on a stream {@code fail} answers with that error message ({@code omit_id} leaves the
 * id out of it).
 */
final class FakeInferenceService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
  static final String MODEL = "simple";

  final Queue<Metadata> headers = new ConcurrentLinkedQueue<>();
  final Queue<Message> requests = new ConcurrentLinkedQueue<>();
  final Queue<Deadline> deadlines = new ConcurrentLinkedQueue<>();
  final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
  final CountDownLatch inferStarted = new CountDownLatch(1);
  final CountDownLatch inferCancelled = new CountDownLatch(1);
  final AtomicInteger streamMessagesReceived = new AtomicInteger();

  private final ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private final AtomicReference<Status> failure = new AtomicReference<>(Status.UNAVAILABLE);
  private final AtomicReference<Metadata> failureTrailers = new AtomicReference<>(new Metadata());
  private final AtomicReference<ServerCallStreamObserver<ModelStreamInferResponse>> heldStream =
      new AtomicReference<>();
  private final CountDownLatch streamHeld = new CountDownLatch(1);
  private volatile boolean holdStreams;

  /** Fails the next {@code count} calls, whatever their method, with {@code status}. */
  void failNext(int count, Status status) {
    failNext(count, status, new Metadata());
  }

  /** Fails the next {@code count} calls with {@code status} and these trailers. */
  void failNext(int count, Status status, Metadata trailers) {
    failure.set(status);
    failureTrailers.set(trailers);
    failuresLeft.set(count);
  }

  /** Makes streams opened from now on read no request until {@link #releaseStreams()}. */
  void holdStreams() {
    holdStreams = true;
  }

  /** Lets the held stream read all its requests, once it has opened. */
  void releaseStreams() throws InterruptedException {
    holdStreams = false;
    if (!streamHeld.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("no stream was held");
    }
    heldStream.get().request(Integer.MAX_VALUE);
  }

  int attempts(String method) {
    return attempts.getOrDefault(method, new AtomicInteger()).get();
  }

  <T extends Message> List<T> requests(Class<T> type) {
    return requests.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
  }

  void shutdown() {
    delays.shutdownNow();
  }

  /** Records headers and attempts of every call, and fails those it was told to fail. */
  ServerInterceptor interceptor() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata metadata, ServerCallHandler<Q, R> next) {
        headers.add(metadata);
        String method = call.getMethodDescriptor().getBareMethodName();
        attempts.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
        if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          Metadata trailers = new Metadata();
          trailers.merge(failureTrailers.get());
          call.close(failure.get().withDescription("injected failure"), trailers);
          return new ServerCall.Listener<>() {};
        }
        return next.startCall(call, metadata);
      }
    };
  }

  @Override
  public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> response) {
    reply(request, response, ServerLiveResponse.newBuilder().setLive(true).build());
  }

  @Override
  public void serverReady(
      ServerReadyRequest request, StreamObserver<ServerReadyResponse> response) {
    recordDeadline();
    reply(request, response, ServerReadyResponse.newBuilder().setReady(true).build());
  }

  @Override
  public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> response) {
    boolean ready = MODEL.equals(request.getName()) && request.getVersion().matches("|1");
    reply(request, response, ModelReadyResponse.newBuilder().setReady(ready).build());
  }

  @Override
  public void serverMetadata(
      ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> response) {
    reply(
        request,
        response,
        ServerMetadataResponse.newBuilder()
            .setName("fake")
            .setVersion("0.0.1")
            .addExtensions("model_repository")
            .build());
  }

  @Override
  public void modelMetadata(
      ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> response) {
    if (!MODEL.equals(request.getName())) {
      notFound(request, request.getName(), response);
      return;
    }
    ModelMetadataResponse.TensorMetadata input =
        ModelMetadataResponse.TensorMetadata.newBuilder()
            .setName("INPUT0")
            .setDatatype("FP32")
            .addShape(-1)
            .addShape(16)
            .build();
    reply(
        request,
        response,
        ModelMetadataResponse.newBuilder()
            .setName(MODEL)
            .addVersions("1")
            .setPlatform("fake")
            .addInputs(input)
            .addOutputs(input.toBuilder().setName("OUTPUT0"))
            .build());
  }

  @Override
  public void modelConfig(
      ModelConfigRequest request, StreamObserver<ModelConfigResponse> response) {
    if (!MODEL.equals(request.getName())) {
      notFound(request, request.getName(), response);
      return;
    }
    ModelConfig config =
        ModelConfig.newBuilder().setName(MODEL).setPlatform("fake").setMaxBatchSize(8).build();
    reply(request, response, ModelConfigResponse.newBuilder().setConfig(config).build());
  }

  @Override
  public void modelStatistics(
      ModelStatisticsRequest request, StreamObserver<ModelStatisticsResponse> response) {
    ModelStatisticsResponse.Builder statistics = ModelStatisticsResponse.newBuilder();
    if (request.getName().isEmpty() || MODEL.equals(request.getName())) {
      statistics.addModelStats(
          ModelStatistics.newBuilder().setName(MODEL).setVersion("1").setInferenceCount(3));
    }
    reply(request, response, statistics.build());
  }

  @Override
  public void repositoryIndex(
      RepositoryIndexRequest request, StreamObserver<RepositoryIndexResponse> response) {
    RepositoryIndexResponse.Builder index = RepositoryIndexResponse.newBuilder();
    index.addModelsBuilder().setName(MODEL).setVersion("1").setState("READY");
    if (!request.getReady()) {
      index.addModelsBuilder().setName("broken").setState("UNAVAILABLE").setReason("no file");
    }
    reply(request, response, index.build());
  }

  @Override
  public void repositoryModelLoad(
      RepositoryModelLoadRequest request, StreamObserver<RepositoryModelLoadResponse> response) {
    reply(request, response, RepositoryModelLoadResponse.getDefaultInstance());
  }

  @Override
  public void repositoryModelUnload(
      RepositoryModelUnloadRequest request,
      StreamObserver<RepositoryModelUnloadResponse> response) {
    reply(request, response, RepositoryModelUnloadResponse.getDefaultInstance());
  }

  @Override
  public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> response) {
    requests.add(request);
    recordDeadline();
    ServerCallStreamObserver<ModelInferResponse> call =
        (ServerCallStreamObserver<ModelInferResponse>) response;
    call.setOnCancelHandler(inferCancelled::countDown);
    inferStarted.countDown();
    long delay =
        request
            .getParametersOrDefault("delay_ms", InferParameter.getDefaultInstance())
            .getInt64Param();
    Runnable answer =
        () -> {
          if (!call.isCancelled()) {
            call.onNext(echo(request));
            call.onCompleted();
          }
        };
    if (delay > 0) {
      delays.schedule(answer, delay, TimeUnit.MILLISECONDS);
    } else {
      answer.run();
    }
  }

  @Override
  public StreamObserver<ModelInferRequest> modelStreamInfer(
      StreamObserver<ModelStreamInferResponse> response) {
    ServerCallStreamObserver<ModelStreamInferResponse> call =
        (ServerCallStreamObserver<ModelStreamInferResponse>) response;
    if (holdStreams) {
      call.disableAutoRequest();
      heldStream.set(call);
      streamHeld.countDown();
    }
    return new StreamObserver<>() {
      @Override
      public void onNext(ModelInferRequest request) {
        streamMessagesReceived.incrementAndGet();
        requests.add(request);
        Map<String, InferParameter> parameters = request.getParametersMap();
        if (parameters.containsKey("fail")) {
          String id = parameters.containsKey("omit_id") ? "" : request.getId();
          response.onNext(
              ModelStreamInferResponse.newBuilder()
                  .setErrorMessage(parameters.get("fail").getStringParam())
                  .setInferResponse(ModelInferResponse.newBuilder().setId(id))
                  .build());
        } else {
          ModelStreamInferResponse answer =
              ModelStreamInferResponse.newBuilder().setInferResponse(echo(request)).build();
          response.onNext(answer);
          if (parameters.containsKey("answer_twice")) {
            response.onNext(answer);
          }
        }
      }

      @Override
      public void onError(Throwable error) {}

      @Override
      public void onCompleted() {
        response.onCompleted();
      }
    };
  }

  private static ModelInferResponse echo(ModelInferRequest request) {
    List<String> wanted =
        request.getOutputsList().stream().map(o -> o.getName()).collect(Collectors.toList());
    ModelInferResponse.Builder echo =
        ModelInferResponse.newBuilder()
            .setModelName(request.getModelName())
            .setModelVersion(request.getModelVersion().isEmpty() ? "1" : request.getModelVersion())
            .setId(request.getId());
    for (int i = 0; i < request.getInputsCount(); i++) {
      ModelInferRequest.InferInputTensor input = request.getInputs(i);
      String name = input.getName().replaceFirst("^INPUT", "OUTPUT");
      if (wanted.isEmpty() || wanted.contains(name)) {
        echo.addOutputsBuilder()
            .setName(name)
            .setDatatype(input.getDatatype())
            .addAllShape(input.getShapeList());
        echo.addRawOutputContents(request.getRawInputContents(i));
      }
    }
    return echo.build();
  }

  private <Q extends Message, R> void reply(Q request, StreamObserver<R> response, R answer) {
    requests.add(request);
    response.onNext(answer);
    response.onCompleted();
  }

  private <Q extends Message, R> void notFound(
      Q request, String model, StreamObserver<R> response) {
    requests.add(request);
    response.onError(
        Status.NOT_FOUND.withDescription("no model named " + model).asRuntimeException());
  }

  /** Records the call's deadline; a call without one records a deadline a day away. */
  private void recordDeadline() {
    Deadline deadline = Context.current().getDeadline();
    deadlines.add(deadline != null ? deadline : Deadline.after(1, TimeUnit.DAYS));
  }
}
