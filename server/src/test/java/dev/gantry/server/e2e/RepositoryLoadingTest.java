package dev.gantry.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.modelgen.ExampleRepository;
import dev.gantry.modelgen.OnnxModels;
import dev.gantry.proto.ModelReadyRequest;
import dev.gantry.proto.ServerReadyRequest;
import dev.gantry.server.ServerOptions;
import dev.gantry.server.model.ModelState;
import dev.gantry.server.model.VersionStatus;
import dev.gantry.spi.DataType;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up loading: failures stay contained, versions follow the policy, many models load. */
class RepositoryLoadingTest {
  private static boolean ready(RunningServer gantry, String model) {
    return gantry.blocking.modelReady(ModelReadyRequest.newBuilder().setName(model).build())
        .getReady();
  }

  private static Map<String, VersionStatus> index(RunningServer gantry) {
    return gantry.server.repository().index().stream()
        .collect(Collectors.toMap(s -> s.model() + "/" + s.version(), s -> s));
  }

  @Test
  void modelsThatFailToLoadNeverStopTheOthers(@TempDir Path root) throws Exception {
    ExampleRepository.write(root);
    TestRepository repository = new TestRepository(root)
        .onnx("corrupt", 1, "not a model".getBytes())
        .onnx("gpu_only", 1, OnnxModels.identity("x", "y", DataType.FP32, -1, 2))
        .config("gpu_only", "instance_group [ { kind: KIND_GPU gpus: [ 0 ] } ]\n")
        .onnx("sequence", 1, OnnxModels.sequenceOutput())
        .onnx("bad_config", 1, OnnxModels.identity("x", "y", DataType.FP32, -1, 2))
        .config("bad_config", "max_batch_size: lots\n")
        .onnx("contradicting", 1, OnnxModels.identity("x", "y", DataType.FP32, -1, 2))
        .config("contradicting", "max_batch_size: 4\ninput [ { name: \"x\" data_type: TYPE_INT32 dims: [ 2 ] } ]\n")
        .onnx("no_backend", 1, new byte[0])
        .config("no_backend", "platform: \"pytorch_libtorch\"\n");
    Files.createDirectories(root.resolve("no_versions"));
    Files.writeString(root.resolve("README.txt"), "not a model");
    try (RunningServer gantry = RunningServer.on(repository)) {
      assertTrue(gantry.blocking.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
      assertTrue(ready(gantry, "simple"));
      assertEquals(2, gantry.blocking.modelInfer(Tensors.addSub("simple", 1, 1f, 1f))
          .getRawOutputContentsCount());
      Map<String, VersionStatus> index = index(gantry);
      for (String broken : List.of("corrupt/1", "gpu_only/1", "sequence/1", "bad_config/0",
          "contradicting/1", "no_backend/1", "no_versions/0")) {
        assertEquals(ModelState.UNAVAILABLE, index.get(broken).state(), broken);
        assertFalse(index.get(broken).reason().isEmpty(), broken);
        assertFalse(ready(gantry, broken.substring(0, broken.indexOf('/'))), broken);
      }
      assertTrue(index.get("gpu_only/1").reason().startsWith("CUDA execution provider unavailable"),
          index.get("gpu_only/1").reason());
      assertTrue(index.get("bad_config/0").reason().contains("config.pbtxt does not parse"),
          index.get("bad_config/0").reason());
      assertTrue(index.get("contradicting/1").reason().contains("TYPE_INT32"),
          index.get("contradicting/1").reason());
      assertTrue(index.get("no_backend/1").reason().contains("pytorch_libtorch"),
          index.get("no_backend/1").reason());
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> gantry.blocking.modelInfer(Tensors.addSub("gpu_only", 1, 1f, 1f)));
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("CUDA execution provider unavailable"),
          e.getStatus().getDescription());
    }
  }

  @Test
  void versionPolicyChoosesWhichVersionsServe(@TempDir Path root) throws Exception {
    byte[] model = OnnxModels.identity("x", "y", DataType.FP32, -1, 2);
    TestRepository repository = new TestRepository(root)
        .onnx("latest", 1, model).onnx("latest", 2, model).onnx("latest", 3, model)
        .onnx("all", 1, model).onnx("all", 4, model)
        .config("all", "version_policy: { all: {} }\n")
        .onnx("specific", 1, model).onnx("specific", 2, model).onnx("specific", 3, model)
        .config("specific", "version_policy: { specific: { versions: [ 1, 3 ] } }\n");
    try (RunningServer gantry = RunningServer.on(repository)) {
      Map<String, VersionStatus> index = index(gantry);
      assertEquals(List.of("all/1", "all/4", "latest/3", "specific/1", "specific/3"),
          index.keySet().stream().sorted().toList());
      assertTrue(gantry.blocking.modelReady(ModelReadyRequest.newBuilder()
          .setName("specific").setVersion("3").build()).getReady());
      assertFalse(gantry.blocking.modelReady(ModelReadyRequest.newBuilder()
          .setName("specific").setVersion("2").build()).getReady());
    }
  }

  @Test
  void aRepositoryOfHundredsOfModelsLoads(@TempDir Path root) throws Exception {
    TestRepository repository = new TestRepository(root);
    byte[] model = OnnxModels.identity("x", "y", DataType.FP32, -1, 4);
    int count = 300;
    for (int i = 0; i < count; i++) {
      repository.onnx(String.format("model_%03d", i), 1, model);
    }
    try (RunningServer gantry = RunningServer.on(repository)) {
      List<VersionStatus> index = gantry.server.repository().index();
      assertEquals(count, index.size());
      assertTrue(index.stream().allMatch(s -> s.state() == ModelState.READY));
      assertTrue(ready(gantry, "model_299"));
    }
  }

  @Test
  void messagesOverTheSizeLimitAreRefused(@TempDir Path root) throws Exception {
    ExampleRepository.write(root);
    ServerOptions small = ServerOptions.forRepositories(root).withMaxMessageBytes(1024);
    try (RunningServer gantry = new RunningServer(small)) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> gantry.blocking.modelInfer(Tensors.addSub("simple", 8, 1f, 1f)));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("1024"), e.getStatus().getDescription());
      assertEquals(2, gantry.blocking.modelInfer(Tensors.addSub("simple", 1, 1f, 1f))
          .getRawOutputContentsCount());
    }
  }
}
