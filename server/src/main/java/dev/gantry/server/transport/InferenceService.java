package dev.gantry.server.transport;

import dev.gantry.proto.CudaSharedMemoryRegisterRequest;
import dev.gantry.proto.CudaSharedMemoryRegisterResponse;
import dev.gantry.proto.CudaSharedMemoryStatusRequest;
import dev.gantry.proto.CudaSharedMemoryStatusResponse;
import dev.gantry.proto.CudaSharedMemoryUnregisterRequest;
import dev.gantry.proto.CudaSharedMemoryUnregisterResponse;
import dev.gantry.proto.GRPCInferenceServiceGrpc;
import dev.gantry.proto.LogSettingsRequest;
import dev.gantry.proto.LogSettingsResponse;
import dev.gantry.proto.ModelConfigRequest;
import dev.gantry.proto.ModelConfigResponse;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferResponse;
import dev.gantry.proto.ModelMetadataRequest;
import dev.gantry.proto.ModelMetadataResponse;
import dev.gantry.proto.ModelReadyRequest;
import dev.gantry.proto.ModelReadyResponse;
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
import dev.gantry.proto.SystemSharedMemoryRegisterRequest;
import dev.gantry.proto.SystemSharedMemoryRegisterResponse;
import dev.gantry.proto.SystemSharedMemoryStatusRequest;
import dev.gantry.proto.SystemSharedMemoryStatusResponse;
import dev.gantry.proto.SystemSharedMemoryUnregisterRequest;
import dev.gantry.proto.SystemSharedMemoryUnregisterResponse;
import dev.gantry.server.error.GantryException;
import dev.gantry.server.error.InvalidArgumentException;
import dev.gantry.server.error.UnimplementedException;
import dev.gantry.server.memory.SharedMemoryRegistry;
import dev.gantry.server.model.LoadedVersion;
import dev.gantry.server.model.ModelRepository;
import dev.gantry.server.model.ModelState;
import dev.gantry.server.model.VersionStatus;
import dev.gantry.server.validation.RequestValidator;
import dev.gantry.spi.TensorSpec;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * The {@code inference.GRPCInferenceService} of the Open Inference Protocol. Handlers run on the
 * transport's threads and never block: they look up, validate and queue; the model's own threads
 * answer. RPCs not overridden here answer UNIMPLEMENTED with the method's name.
 *
 * <p>A large {@code ModelInferRequest} aliases memory the call lends only while its event runs
 * ({@code RequestMemory}): a handler passes the message it was given to {@code
 * InferenceDispatcher.submit} within that event, on that thread, and keeps no other reference to
 * it, or the memory is reused under it.
 */
public final class InferenceService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
  private final ServerIdentity identity;
  private final ModelRepository repository;
  private final BooleanSupplier ready;
  private final InferenceDispatcher dispatcher;
  private final int streamWindow;
  private final RepositoryCalls repositoryCalls;
  private final SharedMemoryCalls sharedMemoryCalls;
  private final Optional<LogSettingsCalls> logSettings = LogSettingsCalls.ifLogback();

  /**
   * @param ready whether the server is ready: start-up loading done and not shutting down
   * @param streamWindow how many requests one stream may have in flight before reading stops
   */
  public InferenceService(
      ServerIdentity identity,
      ModelRepository repository,
      RequestValidator validator,
      BooleanSupplier ready,
      int streamWindow,
      RepositoryCalls repositoryCalls,
      SharedMemoryRegistry sharedMemory) {
    this.identity = identity;
    this.repository = repository;
    this.ready = ready;
    this.dispatcher = new InferenceDispatcher(repository, validator);
    this.streamWindow = streamWindow;
    this.repositoryCalls = repositoryCalls;
    this.sharedMemoryCalls = new SharedMemoryCalls(sharedMemory);
  }

  @Override
  public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> out) {
    reply(out, () -> ServerLiveResponse.newBuilder().setLive(true).build());
  }

  @Override
  public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> out) {
    reply(out, () -> ServerReadyResponse.newBuilder().setReady(ready.getAsBoolean()).build());
  }

  @Override
  public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> out) {
    reply(out, () -> {
      boolean modelReady;
      try {
        repository.resolve(request.getName(), request.getVersion());
        modelReady = true;
      } catch (GantryException e) {
        modelReady = false;
      }
      return ModelReadyResponse.newBuilder().setReady(modelReady).build();
    });
  }

  @Override
  public void serverMetadata(
      ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> out) {
    reply(out, () -> ServerMetadataResponse.newBuilder()
        .setName(identity.name())
        .setVersion(identity.version())
        .addAllExtensions(identity.extensions())
        .build());
  }

  @Override
  public void modelMetadata(
      ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> out) {
    reply(out, () -> {
      LoadedVersion model = repository.resolve(requiredName(request.getName()), request.getVersion());
      ModelMetadataResponse.Builder metadata = ModelMetadataResponse.newBuilder()
          .setName(model.name())
          .setPlatform(model.config().getPlatform());
      if (request.getVersion().isEmpty()) {
        for (VersionStatus status : repository.index()) {
          if (status.model().equals(model.name()) && status.state() == ModelState.READY) {
            metadata.addVersions(Long.toString(status.version()));
          }
        }
      } else {
        metadata.addVersions(Long.toString(model.version()));
      }
      model.signature().inputs().forEach(spec -> metadata.addInputs(tensorMetadata(spec)));
      model.signature().outputs().forEach(spec -> metadata.addOutputs(tensorMetadata(spec)));
      return metadata.build();
    });
  }

  @Override
  public void modelConfig(ModelConfigRequest request, StreamObserver<ModelConfigResponse> out) {
    reply(out, () -> ModelConfigResponse.newBuilder()
        .setConfig(repository.resolve(requiredName(request.getName()), request.getVersion())
            .config())
        .build());
  }

  @Override
  public void modelStatistics(
      ModelStatisticsRequest request, StreamObserver<ModelStatisticsResponse> out) {
    reply(out, () -> {
      ModelStatisticsResponse.Builder response = ModelStatisticsResponse.newBuilder();
      if (request.getVersion().isEmpty()) {
        repository.readyVersions(request.getName())
            .forEach(model -> response.addModelStats(StatisticsResponses.of(model)));
      } else {
        response.addModelStats(StatisticsResponses.of(
            repository.resolve(request.getName(), request.getVersion())));
      }
      return response.build();
    });
  }

  /** The {@code name} of a metadata or config request; empty is the caller's mistake. */
  private static String requiredName(String name) {
    if (name.isEmpty()) {
      throw new InvalidArgumentException("name is required");
    }
    return name;
  }

  @Override
  public void logSettings(LogSettingsRequest request, StreamObserver<LogSettingsResponse> out) {
    reply(out, () -> logSettings.orElseThrow(() -> new UnimplementedException(
        "LogSettings needs logback as the slf4j backend; this process logs through "
            + LoggerFactory.getILoggerFactory().getClass().getName()
            + ", so set levels through it")).apply(request));
  }

  @Override
  public void repositoryIndex(
      RepositoryIndexRequest request, StreamObserver<RepositoryIndexResponse> out) {
    repositoryCalls.index(request, out);
  }

  @Override
  public void repositoryModelLoad(
      RepositoryModelLoadRequest request, StreamObserver<RepositoryModelLoadResponse> out) {
    repositoryCalls.load(request, out);
  }

  @Override
  public void repositoryModelUnload(
      RepositoryModelUnloadRequest request, StreamObserver<RepositoryModelUnloadResponse> out) {
    repositoryCalls.unload(request, out);
  }

  @Override
  public void systemSharedMemoryRegister(SystemSharedMemoryRegisterRequest request,
      StreamObserver<SystemSharedMemoryRegisterResponse> out) {
    reply(out, () -> sharedMemoryCalls.register(request));
  }

  @Override
  public void systemSharedMemoryStatus(SystemSharedMemoryStatusRequest request,
      StreamObserver<SystemSharedMemoryStatusResponse> out) {
    reply(out, () -> sharedMemoryCalls.status(request));
  }

  @Override
  public void systemSharedMemoryUnregister(SystemSharedMemoryUnregisterRequest request,
      StreamObserver<SystemSharedMemoryUnregisterResponse> out) {
    reply(out, () -> sharedMemoryCalls.unregister(request));
  }

  @Override
  public void cudaSharedMemoryRegister(CudaSharedMemoryRegisterRequest request,
      StreamObserver<CudaSharedMemoryRegisterResponse> out) {
    out.onError(SharedMemoryCalls.cudaUnsupported("CudaSharedMemoryRegister"));
  }

  @Override
  public void cudaSharedMemoryStatus(CudaSharedMemoryStatusRequest request,
      StreamObserver<CudaSharedMemoryStatusResponse> out) {
    out.onError(SharedMemoryCalls.cudaUnsupported("CudaSharedMemoryStatus"));
  }

  @Override
  public void cudaSharedMemoryUnregister(CudaSharedMemoryUnregisterRequest request,
      StreamObserver<CudaSharedMemoryUnregisterResponse> out) {
    out.onError(SharedMemoryCalls.cudaUnsupported("CudaSharedMemoryUnregister"));
  }

  @Override
  public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
    ServerCallStreamObserver<ModelInferResponse> call =
        (ServerCallStreamObserver<ModelInferResponse>) out;
    AtomicReference<InferenceDispatcher.Queued> queued = new AtomicReference<>();
    call.setOnCancelHandler(() -> {
      InferenceDispatcher.Queued withdrawn = queued.get();
      if (withdrawn != null) {
        withdrawn.cancel("the client cancelled the call");
      }
    });
    try {
      queued.set(dispatcher.submit(
          request,
          Context.current().getDeadline(),
          response -> {
            call.onNext(response);
            call.onCompleted();
          },
          error -> call.onError(StatusMapper.toException(error))));
      if (call.isCancelled()) {
        queued.get().cancel("the client cancelled the call");
      }
    } catch (RuntimeException e) {
      call.onError(StatusMapper.toException(e));
    }
  }

  @Override
  public StreamObserver<ModelInferRequest> modelStreamInfer(
      StreamObserver<ModelStreamInferResponse> out) {
    return new StreamInferCall(
        dispatcher, (ServerCallStreamObserver<ModelStreamInferResponse>) out, streamWindow);
  }

  private static ModelMetadataResponse.TensorMetadata tensorMetadata(TensorSpec spec) {
    ModelMetadataResponse.TensorMetadata.Builder tensor =
        ModelMetadataResponse.TensorMetadata.newBuilder()
            .setName(spec.name())
            .setDatatype(spec.dataType().name());
    for (long dim : spec.shape()) {
      tensor.addShape(dim);
    }
    return tensor.build();
  }

  private static <T> void reply(StreamObserver<T> out, Supplier<T> answer) {
    T response;
    try {
      response = answer.get();
    } catch (RuntimeException e) {
      out.onError(StatusMapper.toException(e));
      return;
    }
    out.onNext(response);
    out.onCompleted();
  }

  /** The protocol extensions this server implements, as ServerMetadata lists them. */
  static List<String> extensions() {
    return List.of("classification", "model_repository", "model_configuration",
        "schedule_policy", "system_shared_memory", "parameters", "statistics", "logging");
  }
}
