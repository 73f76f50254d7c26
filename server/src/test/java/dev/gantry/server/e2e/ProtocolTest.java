package dev.gantry.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.modelgen.ExampleRepository;
import dev.gantry.proto.CudaSharedMemoryRegisterRequest;
import dev.gantry.proto.CudaSharedMemoryStatusRequest;
import dev.gantry.proto.CudaSharedMemoryUnregisterRequest;
import dev.gantry.proto.ModelConfig;
import dev.gantry.proto.ModelConfigRequest;
import dev.gantry.proto.ModelMetadataRequest;
import dev.gantry.proto.ModelMetadataResponse;
import dev.gantry.proto.ModelReadyRequest;
import dev.gantry.proto.ServerLiveRequest;
import dev.gantry.proto.ServerMetadataRequest;
import dev.gantry.proto.ServerMetadataResponse;
import dev.gantry.proto.ServerReadyRequest;
import dev.gantry.proto.TraceSettingRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Health, metadata and configuration RPCs, and the RPCs not implemented yet, over real gRPC. */
class ProtocolTest {
  @TempDir static Path repository;
  static RunningServer gantry;

  @BeforeAll
  static void start() throws Exception {
    ExampleRepository.write(repository);
    gantry = RunningServer.on(new TestRepository(repository));
  }

  @AfterAll
  static void stop() throws Exception {
    gantry.close();
  }

  @Test
  void serverIsLiveAndReady() {
    assertTrue(gantry.blocking.serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
    assertTrue(gantry.blocking.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
  }

  @Test
  void serverMetadataNamesGantryAndItsExtensions() {
    ServerMetadataResponse metadata =
        gantry.blocking.serverMetadata(ServerMetadataRequest.getDefaultInstance());
    assertEquals("gantry", metadata.getName());
    assertFalse(metadata.getVersion().isEmpty());
    assertTrue(metadata.getExtensionsList().contains("model_configuration"));
  }

  @Test
  void modelReadinessPerVersion() {
    assertTrue(ready("simple", ""));
    assertTrue(ready("simple", "1"));
    assertFalse(ready("simple", "2"));
    assertFalse(ready("nope", ""));
  }

  private boolean ready(String name, String version) {
    return gantry.blocking.modelReady(
        ModelReadyRequest.newBuilder().setName(name).setVersion(version).build()).getReady();
  }

  @Test
  void modelMetadataReportsTheBatchDimensionAsVariable() {
    ModelMetadataResponse metadata = gantry.blocking.modelMetadata(
        ModelMetadataRequest.newBuilder().setName("simple").build());
    assertEquals("simple", metadata.getName());
    assertEquals(List.of("1"), metadata.getVersionsList());
    assertEquals("onnxruntime_onnx", metadata.getPlatform());
    assertEquals(List.of("INPUT0", "INPUT1"),
        metadata.getInputsList().stream().map(t -> t.getName()).toList());
    assertEquals("FP32", metadata.getInputs(0).getDatatype());
    assertEquals(List.of(-1L, 16L), metadata.getInputs(0).getShapeList());
    assertEquals(List.of("OUTPUT0", "OUTPUT1"),
        metadata.getOutputsList().stream().map(t -> t.getName()).toList());
  }

  @Test
  void modelMetadataOfAnUnknownModelIsNotFound() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> gantry.blocking.modelMetadata(
            ModelMetadataRequest.newBuilder().setName("nope").build()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("unknown model 'nope'"));
  }

  @Test
  void modelConfigIsTheEffectiveConfiguration() {
    ModelConfig simple = gantry.blocking.modelConfig(
        ModelConfigRequest.newBuilder().setName("simple").build()).getConfig();
    assertEquals(8, simple.getMaxBatchSize());
    assertEquals(100, simple.getDynamicBatching().getMaxQueueDelayMicroseconds());
    assertEquals("onnxruntime", simple.getBackend());

    ModelConfig completed = gantry.blocking.modelConfig(
        ModelConfigRequest.newBuilder().setName("identity_fp32").build()).getConfig();
    assertEquals("identity_fp32", completed.getName());
    assertEquals("onnxruntime_onnx", completed.getPlatform());
    assertEquals(4, completed.getMaxBatchSize());
    assertTrue(completed.hasDynamicBatching());
    assertEquals(List.of(4L), completed.getInput(0).getDimsList());
    assertEquals(1, completed.getInstanceGroupCount());
    assertEquals(dev.gantry.proto.ModelInstanceGroup.Kind.KIND_CPU,
        completed.getInstanceGroup(0).getKind(), "KIND_AUTO reports where it really runs");
    assertEquals(1, completed.getInstanceGroup(0).getCount());
  }

  @Test
  void unimplementedRpcsSayWhichMethod() {
    Map<String, Consumer<Void>> calls = Map.ofEntries(
        Map.entry("CudaSharedMemoryStatus", v -> gantry.blocking.cudaSharedMemoryStatus(
            CudaSharedMemoryStatusRequest.getDefaultInstance())),
        Map.entry("CudaSharedMemoryRegister", v -> gantry.blocking.cudaSharedMemoryRegister(
            CudaSharedMemoryRegisterRequest.getDefaultInstance())),
        Map.entry("CudaSharedMemoryUnregister", v -> gantry.blocking.cudaSharedMemoryUnregister(
            CudaSharedMemoryUnregisterRequest.getDefaultInstance())),
        Map.entry("TraceSetting", v -> gantry.blocking.traceSetting(
            TraceSettingRequest.getDefaultInstance())));
    calls.forEach((method, call) -> {
      StatusRuntimeException e =
          assertThrows(StatusRuntimeException.class, () -> call.accept(null), method);
      assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode(), method);
      assertTrue(e.getStatus().getDescription().contains(method), e.getStatus().toString());
    });
  }

  @Test
  void standardHealthServiceReportsServing() {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(gantry.channel);
    for (String service : List.of("", "inference.GRPCInferenceService")) {
      assertEquals(HealthCheckResponse.ServingStatus.SERVING,
          health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus());
    }
  }

  @Test
  void reflectionListsTheInferenceService() throws Exception {
    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(gantry.channel).serverReflectionInfo(
            new StreamObserver<>() {
              @Override
              public void onNext(ServerReflectionResponse response) {
                answer.complete(response);
              }

              @Override
              public void onError(Throwable t) {
                answer.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {}
            });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    requests.onCompleted();
    List<String> services = answer.get(5, TimeUnit.SECONDS).getListServicesResponse()
        .getServiceList().stream().map(s -> s.getName()).toList();
    assertTrue(services.contains("inference.GRPCInferenceService"), services.toString());
    assertTrue(services.contains("grpc.health.v1.Health"), services.toString());
  }
}
