package dev.gantry.server.e2e;

import static dev.gantry.server.e2e.Tensors.floats;
import static dev.gantry.server.e2e.Tensors.input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.modelgen.ExampleRepository;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferResponse;
import dev.gantry.proto.ModelReadyRequest;
import dev.gantry.proto.ModelStatisticsRequest;
import dev.gantry.proto.RepositoryIndexRequest;
import dev.gantry.proto.RepositoryIndexResponse.ModelIndex;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A backend that throws, returns malformed results, hangs or fails to load ({@link
 * FaultyBackend}) fails only the requests it was executing, with INTERNAL and a message naming
 * the problem but no server path or stack trace; a hung execution becomes an error after the
 * model's execution timeout; the model keeps serving on its other instance, or reports itself
 * unavailable with the reason until the hung call returns.
 */
class BackendFaultsTest {
  @TempDir static Path repository;
  static RunningServer gantry;

  @BeforeAll
  static void start() throws Exception {
    ExampleRepository.write(repository);
    faulty("faulty", """
        max_batch_size: 8
        instance_group [ { count: 2 kind: KIND_CPU } ]
        parameters { key: "execution_timeout_ms" value: { string_value: "300" } }
        """);
    faulty("faulty_single", """
        max_batch_size: 8
        instance_group [ { count: 1 kind: KIND_CPU } ]
        parameters { key: "execution_timeout_ms" value: { string_value: "300" } }
        """);
    faulty("faulty_batched", """
        max_batch_size: 8
        dynamic_batching { preferred_batch_size: [ 3 ] max_queue_delay_microseconds: 2000000 }
        instance_group [ { count: 1 kind: KIND_CPU } ]
        """);
    faulty("faulty_load", """
        parameters { key: "fail_load" value: { string_value: "true" } }
        """);
    faulty("faulty_bad_timeout", """
        parameters { key: "execution_timeout_ms" value: { string_value: "soon" } }
        """);
    new TestRepository(repository).onnx("broken", 1, "not an onnx model".getBytes());
    gantry = RunningServer.on(new TestRepository(repository));
  }

  private static void faulty(String model, String config) throws Exception {
    Files.createDirectories(repository.resolve(model).resolve("1"));
    Files.writeString(repository.resolve(model).resolve("1").resolve("weights.bin"), "w");
    new TestRepository(repository).config(model,
        "platform: \"" + FaultyBackend.PLATFORM + "\"\n" + config);
  }

  @AfterEach
  void releaseHangs() {
    FaultyBackend.release();
  }

  @AfterAll
  static void stop() throws Exception {
    gantry.close();
  }

  private static ModelInferRequest request(String model, float first, int rows) {
    float[] x = new float[rows * 4];
    java.util.Arrays.fill(x, 7f);
    x[0] = first;
    return ModelInferRequest.newBuilder()
        .setModelName(model)
        .addInputs(input("x", "FP32", rows, 4))
        .addRawInputContents(floats(x))
        .build();
  }

  private static CompletableFuture<ModelInferResponse> send(ModelInferRequest request) {
    return AsyncCalls.infer(gantry.async.withDeadlineAfter(30, TimeUnit.SECONDS), request);
  }

  private static Status failure(CompletableFuture<ModelInferResponse> outcome) {
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> outcome.get(30, TimeUnit.SECONDS));
    return ((StatusRuntimeException) e.getCause()).getStatus();
  }

  private static Status failure(ModelInferRequest request) {
    return assertThrows(StatusRuntimeException.class, () -> gantry.blocking.modelInfer(request))
        .getStatus();
  }

  private static void assertServes(String model) {
    ModelInferResponse response = gantry.blocking.modelInfer(request(model, 3f, 2));
    assertEquals(3f, Tensors.floatsOf(response.getRawOutputContents(0))[0]);
  }

  private static void assertNothingLeaks(String message) {
    assertFalse(message.contains(repository.toString()), message);
    assertFalse(message.contains("/opt/"), message);
    assertFalse(message.contains("\tat "), message);
    assertFalse(message.contains("dev.gantry.Fake"), message);
  }

  private static boolean ready(String model) {
    return gantry.blocking.modelReady(ModelReadyRequest.newBuilder().setName(model).build())
        .getReady();
  }

  private static ModelIndex index(String model) {
    return gantry.blocking.repositoryIndex(RepositoryIndexRequest.getDefaultInstance())
        .getModelsList().stream().filter(m -> m.getName().equals(model)).findFirst().orElseThrow();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
      Thread.sleep(10);
    }
  }

  static Stream<Arguments> faults() {
    return Stream.of(
        Arguments.of("runtime failure", FaultyBackend.THROW_INFERENCE,
            "model 'faulty' version 1 failed to execute: injected runtime failure"),
        Arguments.of("bug in the backend", FaultyBackend.THROW_BUG,
            "failed to execute: the backend raised IllegalStateException; the server log has "
                + "the details"),
        Arguments.of("Error thrown by the backend", FaultyBackend.THROW_ERROR,
            "failed to execute: the backend raised StackOverflowError"),
        Arguments.of("wrong shape", FaultyBackend.WRONG_SHAPE,
            "returned a malformed result: output 'y' has shape [1,3] but the model declares "
                + "[-1,4]"),
        Arguments.of("wrong datatype", FaultyBackend.WRONG_DATATYPE,
            "returned a malformed result: output 'y' is FP64 but the model declares FP32"),
        Arguments.of("wrong batch size", FaultyBackend.WRONG_ROWS,
            "output 'y' has 2 items in dimension 0 but the request has batch size 1"),
        Arguments.of("missing output", FaultyBackend.NO_OUTPUT,
            "returned a malformed result: the backend returned no output 'y'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("faults")
  void faultFailsOnlyItsRequestAndTheModelKeepsServing(String name, float fault, String message) {
    long failedBefore = failures("faulty");
    Status status = failure(request("faulty", fault, 1));
    assertEquals(Status.Code.INTERNAL, status.getCode(), status.toString());
    assertTrue(status.getDescription().contains(message), status.getDescription());
    assertNothingLeaks(status.getDescription());
    assertEquals(failedBefore + 1, failures("faulty"));
    assertTrue(ready("faulty"));
    assertServes("faulty");
  }

  private static long failures(String model) {
    return gantry.blocking.modelStatistics(ModelStatisticsRequest.newBuilder().setName(model)
        .build()).getModelStats(0).getInferenceStats().getFail().getCount();
  }

  @Test
  void poisonedRequestFailsExactlyTheBatchItRanIn() throws Exception {
    List<CompletableFuture<ModelInferResponse>> batch = new ArrayList<>();
    batch.add(send(request("faulty_batched", FaultyBackend.THROW_INFERENCE, 1)));
    Thread.sleep(100);
    batch.add(send(request("faulty_batched", 1f, 1)));
    batch.add(send(request("faulty_batched", 2f, 1)));
    for (CompletableFuture<ModelInferResponse> outcome : batch) {
      Status status = failure(outcome);
      assertEquals(Status.Code.INTERNAL, status.getCode());
      assertTrue(status.getDescription().contains("injected runtime failure"));
    }
    List<CompletableFuture<ModelInferResponse>> next = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      next.add(send(request("faulty_batched", 10f + i, 1)));
    }
    for (int i = 0; i < 3; i++) {
      assertEquals(10f + i,
          Tensors.floatsOf(next.get(i).get(30, TimeUnit.SECONDS).getRawOutputContents(0))[0]);
    }
    Map<Long, Long> executionsBySize = new java.util.TreeMap<>();
    gantry.blocking.modelStatistics(ModelStatisticsRequest.newBuilder()
        .setName("faulty_batched").build()).getModelStats(0).getBatchStatsList()
        .forEach(b -> executionsBySize.put(b.getBatchSize(), b.getComputeInfer().getCount()));
    assertEquals(Map.of(3L, 1L), executionsBySize, "the good batch of 3 ran once");
  }

  @Test
  void hungExecutionTimesOutWhileTheOtherInstanceKeepsServing() throws Exception {
    CountDownLatch hung = FaultyBackend.armHang(1);
    long start = System.nanoTime();
    CompletableFuture<ModelInferResponse> stuck = send(request("faulty", FaultyBackend.HANG, 1));
    assertTrue(hung.await(10, TimeUnit.SECONDS));
    for (int i = 0; i < 5; i++) {
      assertServes("faulty");
    }
    Status status = failure(stuck);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals(Status.Code.INTERNAL, status.getCode());
    assertTrue(status.getDescription().contains(
        "did not finish executing within the execution timeout of 300 ms"), status.getDescription());
    assertTrue(millis >= 300 && millis < 5000, millis + " ms");
    assertTrue(ready("faulty"), "one instance still serves");
    FaultyBackend.release();
    for (int i = 0; i < 5; i++) {
      assertServes("faulty");
    }
  }

  @Test
  void modelWhoseOnlyInstanceHangsIsUnavailableWithTheReasonUntilTheCallReturns()
      throws Exception {
    CountDownLatch hung = FaultyBackend.armHang(1);
    CompletableFuture<ModelInferResponse> stuck =
        send(request("faulty_single", FaultyBackend.HANG, 1));
    assertTrue(hung.await(10, TimeUnit.SECONDS));
    assertEquals(Status.Code.INTERNAL, failure(stuck).getCode());
    assertFalse(ready("faulty_single"));
    ModelIndex unavailable = index("faulty_single");
    assertEquals("UNAVAILABLE", unavailable.getState());
    assertTrue(unavailable.getReason().contains("every instance (1) is stuck"),
        unavailable.getReason());
    Status refused = failure(request("faulty_single", 1f, 1));
    assertEquals(Status.Code.UNAVAILABLE, refused.getCode());
    assertTrue(refused.getDescription().contains(
        "model 'faulty_single' version 1 is unavailable: every instance (1) is stuck in an "
            + "execution that ran past the execution timeout of 300 ms"),
        refused.getDescription());
    FaultyBackend.release();
    await("the model is ready again", () -> ready("faulty_single"));
    assertEquals("READY", index("faulty_single").getState());
    assertServes("faulty_single");
  }

  @Test
  void loadFailuresAndBackendBugsNameNoServerPathNorStackTrace() {
    ModelIndex failed = index("faulty_load");
    assertEquals("UNAVAILABLE", failed.getState());
    assertTrue(failed.getReason().contains("cannot open faulty_load/1/weights.bin nor <path>"),
        failed.getReason());
    assertNothingLeaks(failed.getReason());
    Status unavailable = failure(request("faulty_load", 1f, 1));
    assertEquals(Status.Code.UNAVAILABLE, unavailable.getCode());
    assertTrue(unavailable.getDescription().contains("weights.bin"));
    assertNothingLeaks(unavailable.getDescription());
    ModelIndex broken = index("broken");
    assertTrue(broken.getReason().contains("broken/1/model.onnx"), broken.getReason());
    assertNothingLeaks(broken.getReason());
    Status bug = failure(request("faulty", FaultyBackend.THROW_BUG, 1));
    assertNothingLeaks(bug.getDescription());
    assertFalse(bug.getDescription().contains("libweights"), bug.getDescription());
  }

  @Test
  void badExecutionTimeoutParameterFailsTheLoadWithTheReason() {
    ModelIndex failed = index("faulty_bad_timeout");
    assertEquals("UNAVAILABLE", failed.getState());
    assertTrue(failed.getReason().contains("parameter execution_timeout_ms is 'soon'; it takes "
        + "milliseconds, 0 or more"), failed.getReason());
  }

  @Test
  void otherModelsKeepServingBesideTheFaultyOnes() {
    assertEquals(2, gantry.blocking.modelInfer(Tensors.addSub("simple", 1, 1f, 2f))
        .getRawOutputContentsCount());
    assertTrue(ready("mixed"));
  }
}
