package dev.gantry.server.e2e;

import static dev.gantry.server.e2e.Tensors.floats;
import static dev.gantry.server.e2e.Tensors.floatsOf;
import static dev.gantry.server.e2e.Tensors.input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.gantry.modelgen.ExampleRepository;
import dev.gantry.modelgen.OnnxModelBuilder;
import dev.gantry.modelgen.OnnxModels;
import dev.gantry.proto.ModelConfigRequest;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferResponse;
import dev.gantry.proto.ModelReadyRequest;
import dev.gantry.proto.ModelRepositoryParameter;
import dev.gantry.proto.RepositoryIndexRequest;
import dev.gantry.proto.RepositoryIndexResponse.ModelIndex;
import dev.gantry.proto.RepositoryModelLoadRequest;
import dev.gantry.proto.RepositoryModelUnloadRequest;
import dev.gantry.server.ServerOptions;
import dev.gantry.server.model.ModelControlMode;
import dev.gantry.spi.DataType;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Control modes, the repository RPCs, labels, warmup, and version rollover under load. */
class RepositoryLifecycleTest {
  private static final Duration POLL = Duration.ofMillis(100);

  /** y = x + c on FP32 [-1,4]: each version answers with its own constant. */
  static byte[] addConstant(float c) {
    ByteBuffer constant = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, c);
    return new OnnxModelBuilder("add_constant")
        .input("x", DataType.FP32, -1, 4)
        .output("y", DataType.FP32, -1, 4)
        .initializer("c", DataType.FP32, new long[0], constant)
        .node("Add", List.of("x", "c"), List.of("y"))
        .build();
  }

  private static ModelInferRequest request(String model, String version) {
    return ModelInferRequest.newBuilder()
        .setModelName(model).setModelVersion(version)
        .addInputs(input("x", "FP32", 1, 4))
        .addRawInputContents(floats(0, 0, 0, 0))
        .build();
  }

  private static float answer(RunningServer gantry, String model, String version) {
    return floatsOf(gantry.blocking.modelInfer(request(model, version)).getRawOutputContents(0))[0];
  }

  private static boolean ready(RunningServer gantry, String model, String version) {
    return gantry.blocking.modelReady(ModelReadyRequest.newBuilder()
        .setName(model).setVersion(version).build()).getReady();
  }

  private static Map<String, ModelIndex> index(RunningServer gantry) {
    return gantry.blocking.repositoryIndex(RepositoryIndexRequest.getDefaultInstance())
        .getModelsList().stream()
        .collect(Collectors.toMap(m -> m.getName() + "/" + m.getVersion(), m -> m));
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }

  private static Status.Code code(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
  }

  private static ModelRepositoryParameter string(String value) {
    return ModelRepositoryParameter.newBuilder().setStringParam(value).build();
  }

  private static ModelRepositoryParameter bytes(byte[] value) {
    return ModelRepositoryParameter.newBuilder().setBytesParam(ByteString.copyFrom(value)).build();
  }

  private static RunningServer explicit(Path root, String... startup) throws Exception {
    return new RunningServer(ServerOptions.forRepositories(root)
        .withControlMode(ModelControlMode.EXPLICIT, POLL, List.of(startup)));
  }

  @Test
  void explicitModeLoadsWhatItIsAskedTo(@TempDir Path root) throws Exception {
    ExampleRepository.write(root);
    try (RunningServer gantry = explicit(root, "simple")) {
      assertTrue(ready(gantry, "simple", ""));
      assertFalse(ready(gantry, "identity_fp32", ""));
      Map<String, ModelIndex> index = index(gantry);
      assertEquals("READY", index.get("simple/1").getState());
      assertEquals("UNKNOWN", index.get("identity_fp32/").getState());

      gantry.blocking.repositoryModelLoad(
          RepositoryModelLoadRequest.newBuilder().setModelName("identity_fp32").build());
      assertTrue(ready(gantry, "identity_fp32", "1"));

      gantry.blocking.repositoryModelUnload(
          RepositoryModelUnloadRequest.newBuilder().setModelName("simple").build());
      assertFalse(ready(gantry, "simple", ""));
      assertEquals("UNAVAILABLE", index(gantry).get("simple/1").getState());
      assertEquals("unloaded", index(gantry).get("simple/1").getReason());
      assertEquals(1, gantry.blocking.repositoryIndex(
          RepositoryIndexRequest.newBuilder().setReady(true).build()).getModelsCount());
      assertEquals(Status.Code.UNAVAILABLE,
          code(() -> gantry.blocking.modelInfer(Tensors.addSub("simple", 1, 1f, 1f))));

      gantry.blocking.repositoryModelLoad(
          RepositoryModelLoadRequest.newBuilder().setModelName("simple").build());
      assertEquals(2, gantry.blocking.modelInfer(Tensors.addSub("simple", 1, 1f, 1f))
          .getRawOutputContentsCount());
    }
  }

  @Test
  void aFailedReloadIsReportedWhileTheLoadedVersionKeepsServing(@TempDir Path root)
      throws Exception {
    TestRepository repository = new TestRepository(root).onnx("m", 1, addConstant(1f));
    try (RunningServer gantry = explicit(root, "m")) {
      repository.onnx("m", 1, "corrupt".getBytes());
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> gantry.blocking.repositoryModelLoad(
              RepositoryModelLoadRequest.newBuilder().setModelName("m").build()));
      assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("version 1:")
          && e.getStatus().getDescription().contains("keep serving"),
          e.getStatus().getDescription());
      assertEquals(1f, answer(gantry, "m", "1"));
      repository.onnx("m", 1, addConstant(3f));
      gantry.blocking.repositoryModelLoad(
          RepositoryModelLoadRequest.newBuilder().setModelName("m").build());
      assertEquals(3f, answer(gantry, "m", "1"));
    }
  }

  @Test
  void loadWithAConfigurationOverrideAndWithFilesSentInTheRequest(@TempDir Path root)
      throws Exception {
    ExampleRepository.write(root);
    try (RunningServer gantry = explicit(root)) {
      gantry.blocking.repositoryModelLoad(RepositoryModelLoadRequest.newBuilder()
          .setModelName("identity_fp32")
          .putParameters("config", string("{\"max_batch_size\": 2, \"dynamic_batching\": {}}"))
          .build());
      assertEquals(2, gantry.blocking.modelConfig(ModelConfigRequest.newBuilder()
          .setName("identity_fp32").build()).getConfig().getMaxBatchSize());

      gantry.blocking.repositoryModelLoad(RepositoryModelLoadRequest.newBuilder()
          .setModelName("uploaded")
          .putParameters("config", string("{\"platform\": \"onnxruntime_onnx\"}"))
          .putParameters("file:1/model.onnx", bytes(addConstant(7f)))
          .build());
      assertEquals(7f, answer(gantry, "uploaded", ""));
      gantry.blocking.repositoryModelLoad(RepositoryModelLoadRequest.newBuilder()
          .setModelName("uploaded")
          .putParameters("config", string("{\"platform\": \"onnxruntime_onnx\"}"))
          .putParameters("file:1/model.onnx", bytes(addConstant(8f)))
          .build());
      assertEquals(8f, answer(gantry, "uploaded", ""), "a new upload replaces the old one");
      assertFalse(Files.exists(root.resolve("uploaded")), "uploads never land in the repository");
    }
  }

  @Test
  void refusedAndFailedUploadsLeaveNothingOnDisk(@TempDir Path root) throws Exception {
    ExampleRepository.write(root);
    Path temp = Path.of(System.getProperty("java.io.tmpdir"));
    Set<Path> before = uploadDirectories(temp);
    try (RunningServer gantry = explicit(root)) {
      Set<Path> created = uploadDirectories(temp);
      created.removeAll(before);
      assertEquals(1, created.size(), "this server's upload directory: " + created);
      Path uploads = created.iterator().next();
      List<RepositoryModelLoadRequest> refused = List.of(
          RepositoryModelLoadRequest.newBuilder().setModelName("x")
              .putParameters("config", string("{\"platform\": \"onnxruntime_onnx\"}"))
              .putParameters("file:1/model.onnx", bytes(addConstant(1f)))
              .putParameters("file:1/../../escape.onnx", bytes(new byte[1])).build(),
          RepositoryModelLoadRequest.newBuilder().setModelName("x")
              .putParameters("config", string("{\"max_batch_size\": \"many\"}"))
              .putParameters("file:1/model.onnx", bytes(addConstant(1f))).build(),
          RepositoryModelLoadRequest.newBuilder().setModelName("x")
              .putParameters("config", string("{\"platform\": \"onnxruntime_onnx\"}"))
              .putParameters("file:1/model.onnx", bytes(new byte[] {1, 2, 3})).build());
      for (RepositoryModelLoadRequest request : refused) {
        assertThrows(StatusRuntimeException.class, () -> gantry.blocking.repositoryModelLoad(request));
        try (var files = Files.walk(uploads)) {
          assertEquals(List.of(uploads), files.toList(), "nothing of a refused or failed load");
        }
      }
    }
  }

  private static Set<Path> uploadDirectories(Path temp) throws IOException {
    try (var entries = Files.list(temp)) {
      return entries.filter(path -> path.getFileName().toString().startsWith("gantry-uploads"))
          .collect(Collectors.toCollection(HashSet::new));
    }
  }

  @Test
  void badLoadAndUnloadRequestsAreRefusedPrecisely(@TempDir Path root) throws Exception {
    ExampleRepository.write(root);
    Files.writeString(root.resolve("outside.txt"), "secret");
    try (RunningServer gantry = explicit(root)) {
      Map<String, RepositoryModelLoadRequest> invalid = Map.of(
          "../simple", RepositoryModelLoadRequest.newBuilder().setModelName("../simple").build(),
          "absolute file", RepositoryModelLoadRequest.newBuilder().setModelName("x")
              .putParameters("config", string("{}"))
              .putParameters("file:/etc/passwd", bytes(new byte[1])).build(),
          "file escaping", RepositoryModelLoadRequest.newBuilder().setModelName("x")
              .putParameters("config", string("{}"))
              .putParameters("file:1/../../outside.txt", bytes(new byte[1])).build(),
          "files without config", RepositoryModelLoadRequest.newBuilder().setModelName("x")
              .putParameters("file:1/model.onnx", bytes(new byte[1])).build(),
          "config not JSON", RepositoryModelLoadRequest.newBuilder().setModelName("simple")
              .putParameters("config", string("max_batch_size: 2")).build(),
          "unknown parameter", RepositoryModelLoadRequest.newBuilder().setModelName("simple")
              .putParameters("colour", string("blue")).build());
      invalid.forEach((name, request) -> {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
            () -> gantry.blocking.repositoryModelLoad(request), name);
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), name);
        assertFalse(e.getStatus().getDescription().contains(root.toString()), name);
      });
      assertEquals(Status.Code.NOT_FOUND, code(() -> gantry.blocking.repositoryModelLoad(
          RepositoryModelLoadRequest.newBuilder().setModelName("nope").build())));
      assertEquals(Status.Code.NOT_FOUND, code(() -> gantry.blocking.repositoryModelUnload(
          RepositoryModelUnloadRequest.newBuilder().setModelName("nope").build())));
      assertEquals(Status.Code.UNIMPLEMENTED, code(() -> gantry.blocking.repositoryIndex(
          RepositoryIndexRequest.newBuilder().setRepositoryName("other").build())));
      StatusRuntimeException broken = assertThrows(StatusRuntimeException.class,
          () -> gantry.blocking.repositoryModelLoad(RepositoryModelLoadRequest.newBuilder()
              .setModelName("broken")
              .putParameters("config", string("{\"platform\": \"onnxruntime_onnx\"}"))
              .putParameters("file:1/model.onnx", bytes("not onnx".getBytes())).build()));
      assertEquals(Status.Code.FAILED_PRECONDITION, broken.getStatus().getCode());
      assertTrue(broken.getStatus().getDescription().contains("failed to load"));
    }
    try (RunningServer none = RunningServer.on(new TestRepository(root))) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> none.blocking.repositoryModelLoad(
              RepositoryModelLoadRequest.newBuilder().setModelName("simple").build()));
      assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("--model-control-mode explicit"));
    }
  }

  @Test
  void labelsNameReadyVersions(@TempDir Path root) throws Exception {
    new TestRepository(root)
        .onnx("m", 1, addConstant(1f)).onnx("m", 2, addConstant(2f))
        .config("m", "version_policy: { all: {} }\n");
    Files.writeString(root.resolve("m/labels.properties"), "stable=1\ncanary=2\nbroken=9\n");
    try (RunningServer gantry = RunningServer.on(new TestRepository(root))) {
      assertEquals(1f, answer(gantry, "m", "stable"));
      assertEquals(2f, answer(gantry, "m", "canary"));
      ModelInferResponse response = gantry.blocking.modelInfer(request("m", "stable"));
      assertEquals("1", response.getModelVersion());
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> gantry.blocking.modelInfer(request("m", "broken")));
      assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("labels {canary=2, stable=1}"),
          e.getStatus().getDescription());
      assertEquals(Map.of("stable", 1L, "canary", 2L),
          gantry.server.repository().labels("m"));
    }
  }

  @Test
  void warmupRunsBeforeReadyAndAFailingWarmupFailsTheLoad(@TempDir Path root) throws Exception {
    new TestRepository(root)
        .onnx("warm", 1, addConstant(1f))
        .config("warm", """
            max_batch_size: 4
            model_warmup [ { name: "zeros" batch_size: 2 count: 3
              inputs { key: "x" value: { data_type: TYPE_FP32 dims: [ 4 ] zero_data: true } } } ]
            """)
        .onnx("cold", 1, addConstant(1f))
        .config("cold", """
            max_batch_size: 4
            model_warmup [ { name: "wrong" batch_size: 1
              inputs { key: "x" value: { data_type: TYPE_FP32 dims: [ 5 ] random_data: true } } } ]
            """);
    try (RunningServer gantry = RunningServer.on(new TestRepository(root))) {
      assertTrue(ready(gantry, "warm", "1"));
      assertEquals(1f, answer(gantry, "warm", ""));
      assertFalse(ready(gantry, "cold", "1"));
      assertTrue(index(gantry).get("cold/1").getReason().contains("model_warmup 'wrong' failed"),
          index(gantry).get("cold/1").getReason());
    }
  }

  @Test
  void pollModeFollowsTheRepository(@TempDir Path root) throws Exception {
    TestRepository repository = new TestRepository(root).onnx("m", 1, addConstant(1f));
    try (RunningServer gantry = new RunningServer(ServerOptions.forRepositories(root)
        .withControlMode(ModelControlMode.POLL, POLL, List.of()))) {
      assertEquals(1f, answer(gantry, "m", ""));

      repository.onnx("m", 2, addConstant(2f));
      await("version 2 serves", () -> answer(gantry, "m", "") == 2f);
      await("version 1 is unloaded", () -> !ready(gantry, "m", "1"));

      repository.config("m", "version_policy: { all: {} }\nmax_batch_size: 2\n");
      await("the new configuration applies", () -> gantry.blocking.modelConfig(
          ModelConfigRequest.newBuilder().setName("m").build()).getConfig().getMaxBatchSize() == 2);
      await("version 1 is back", () -> ready(gantry, "m", "1"));

      repository.onnx("m", 2, "corrupt".getBytes());
      await("the failed reload is reported", () ->
          index(gantry).get("m/2").getReason().startsWith("reload failed"));
      assertEquals("READY", index(gantry).get("m/2").getState());
      assertEquals(2f, answer(gantry, "m", "2"), "the loaded version keeps serving");

      repository.onnx("n", 1, addConstant(5f));
      await("a new model appears", () -> ready(gantry, "n", ""));
      deleteRecursively(root.resolve("n"));
      await("a removed model is unloaded", () -> !ready(gantry, "n", ""));
    }
  }

  @Test
  void versionsRollOverUnderLoadWithoutAFailedRequest(@TempDir Path root) throws Exception {
    TestRepository repository = new TestRepository(root).onnx("m", 1, addConstant(1f));
    try (RunningServer gantry = new RunningServer(ServerOptions.forRepositories(root)
        .withControlMode(ModelControlMode.POLL, POLL, List.of()))) {
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger sent = new AtomicInteger();
      Set<String> failures = ConcurrentHashMap.newKeySet();
      Set<String> answers = ConcurrentHashMap.newKeySet();
      Thread client = new Thread(() -> {
        while (running.get()) {
          try {
            ModelInferResponse response = gantry.blocking.modelInfer(request("m", ""));
            float value = floatsOf(response.getRawOutputContents(0))[0];
            if (value != Float.parseFloat(response.getModelVersion())) {
              failures.add("version " + response.getModelVersion() + " answered " + value);
            }
            answers.add(response.getModelVersion());
            sent.incrementAndGet();
          } catch (RuntimeException e) {
            failures.add(e.toString());
          }
        }
      }, "rollover-client");
      client.start();
      repository.onnx("m", 2, addConstant(2f));
      await("version 2 serves", () -> answers.contains("2") && !ready(gantry, "m", "1"));
      repository.onnx("m", 3, addConstant(3f));
      await("version 3 serves", () -> answers.contains("3") && !ready(gantry, "m", "2"));
      repository.onnx("m", 3, addConstant(3f));
      deleteRecursively(root.resolve("m/3"));
      await("version 2 serves again", () -> ready(gantry, "m", "2") && !ready(gantry, "m", "3"));
      int before = sent.get();
      await("traffic continues", () -> sent.get() > before + 20);
      running.set(false);
      client.join();
      assertEquals(Set.of(), failures);
      assertEquals(Set.of("1", "2", "3"), answers, "traffic reached every version in turn");
    }
  }

  private static void deleteRecursively(Path path) throws Exception {
    try (var files = Files.walk(path)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
