package dev.gantry.server.e2e;

import static dev.gantry.server.e2e.Tensors.floats;
import static dev.gantry.server.e2e.Tensors.floatsOf;
import static dev.gantry.server.e2e.Tensors.input;
import static dev.gantry.server.e2e.Tensors.output;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.modelgen.OnnxModels;
import dev.gantry.proto.GRPCInferenceServiceGrpc;
import dev.gantry.proto.InferBatchStatistics;
import dev.gantry.proto.InferParameter;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferResponse;
import dev.gantry.proto.ModelStatistics;
import dev.gantry.proto.ModelStatisticsRequest;
import dev.gantry.server.metrics.FailureReason;
import dev.gantry.spi.DataType;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduler seen from a client over gRPC, on real ONNX Runtime sessions: batches form across
 * concurrent callers, and queued requests whose deadline passes, whose caller cancels, or that
 * find the queue full never run. A "busy" model (hundreds of chained 512x512 matrix products,
 * about a second per execution here) keeps its one instance occupied while the test queues.
 */
class SchedulingTest {
  @TempDir static Path repository;
  static RunningServer gantry;

  @BeforeAll
  static void start() throws Exception {
    new TestRepository(repository)
        .onnx("batched", 1, OnnxModels.addSub(DataType.FP32, -1, 16))
        .config("batched", """
            max_batch_size: 8
            dynamic_batching { max_queue_delay_microseconds: 200000 }
            """)
        .onnx("on_arrival", 1, OnnxModels.addSub(DataType.FP32, -1, 16))
        .config("on_arrival", """
            max_batch_size: 8
            parameters { key: "execute_on_arrival_us" value { string_value: "10000" } }
            """)
        .onnx("busy", 1, BusyModel.onnx(300))
        .config("busy", """
            dynamic_batching { default_queue_policy { max_queue_size: 2 } }
            instance_group [ { count: 1 kind: KIND_CPU } ]
            """);
    gantry = RunningServer.on(new TestRepository(repository));
  }

  @AfterAll
  static void stop() throws Exception {
    gantry.close();
  }

  private static ModelStatistics statistics(String model) {
    return gantry.blocking.modelStatistics(
        ModelStatisticsRequest.newBuilder().setName(model).build()).getModelStats(0);
  }

  private static Status.Code codeOf(CompletableFuture<?> outcome) {
    StatusRuntimeException e = (StatusRuntimeException) assertThrows(Exception.class,
        () -> outcome.get(30, TimeUnit.SECONDS)).getCause();
    return e.getStatus().getCode();
  }

  /** Waits until the busy model executes one request and has {@code queued} more waiting. */
  private static void awaitQueued(int queued) throws InterruptedException {
    var scheduler = gantry.server.repository().resolve("busy", "").scheduler();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while ((scheduler.executing() != 1 || scheduler.queued() != queued)
        && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertEquals(1, scheduler.executing(), "executing");
    assertEquals(queued, scheduler.queued(), "queued");
  }

  @Test
  void concurrentRequestsAreBatchedAndEachGetsItsOwnRows() throws Exception {
    List<CompletableFuture<ModelInferResponse>> outcomes = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      outcomes.add(AsyncCalls.infer(gantry.async, Tensors.addSub("batched", 1, i, 100f).toBuilder()
          .setId("r" + i).build()));
    }
    for (int i = 0; i < 8; i++) {
      ModelInferResponse response = outcomes.get(i).get(30, TimeUnit.SECONDS);
      assertEquals("r" + i, response.getId());
      assertEquals(List.of(1L, 16L), response.getOutputs(0).getShapeList());
      for (float value : floatsOf(output(response, "OUTPUT0"))) {
        assertEquals(i + 100f, value);
      }
      for (float value : floatsOf(output(response, "OUTPUT1"))) {
        assertEquals(i - 100f, value);
      }
    }
    ModelStatistics batched = statistics("batched");
    assertEquals(8, batched.getInferenceCount());
    assertTrue(batched.getExecutionCount() < 8, "batches formed: " + batched.getBatchStatsList());
    long items = 0;
    for (InferBatchStatistics batch : batched.getBatchStatsList()) {
      items += batch.getBatchSize() * batch.getComputeInfer().getCount();
    }
    assertEquals(8, items);
    assertTrue(gantry.server.repository().resolve("batched", "").metrics()
        .dispatches(dev.gantry.server.scheduler.DispatchReason.FULL) >= 1);
  }

  @Test
  void aCheapModelDeclaredSoRunsOnArrivalWithTheSameAnswersAndStatistics() throws Exception {
    int requests = 400;
    var metrics = gantry.server.repository().resolve("on_arrival", "").metrics();
    for (int i = 0; i < requests; i++) {
      ModelInferResponse response = gantry.blocking.modelInfer(
          Tensors.addSub("on_arrival", 1, i, 1f).toBuilder().setId("r" + i).build());
      assertEquals("r" + i, response.getId());
      for (float value : floatsOf(output(response, "OUTPUT0"))) {
        assertEquals(i + 1f, value);
      }
      for (float value : floatsOf(output(response, "OUTPUT1"))) {
        assertEquals(i - 1f, value);
      }
    }
    long onArrival = metrics.dispatches(dev.gantry.server.scheduler.DispatchReason.ON_ARRIVAL);
    long queued = metrics.dispatches(dev.gantry.server.scheduler.DispatchReason.UNBATCHED);
    assertTrue(onArrival > 0, "ran on arrival: " + onArrival + " of " + requests);
    assertTrue(queued >= dev.gantry.server.scheduler.ArrivalExecution.STEADY_EXECUTIONS,
        "the first executions ran on the instance thread: " + queued);
    assertEquals(requests, onArrival + queued);
    ModelStatistics statistics = statistics("on_arrival");
    assertEquals(requests, statistics.getInferenceCount());
    assertEquals(requests, statistics.getInferenceStats().getSuccess().getCount());
  }

  @Test
  void queuedRequestsThatExpireOrAreCancelledOrOverflowNeverRun() throws Exception {
    long executionsBefore = statistics("busy").getExecutionCount();
    var metrics = gantry.server.repository().resolve("busy", "").metrics();
    long timedOutBefore = metrics.failures(FailureReason.TIMED_OUT);
    long cancelledBefore = metrics.failures(FailureReason.CANCELLED);

    CompletableFuture<ModelInferResponse> running = AsyncCalls.infer(gantry.async, BusyModel.request("busy", "running"));
    awaitQueued(0);

    long start = System.nanoTime();
    CompletableFuture<ModelInferResponse> timedOut = AsyncCalls.infer(gantry.async, BusyModel.request("busy", "timeout")
        .toBuilder().putParameters("timeout",
            InferParameter.newBuilder().setInt64Param(50_000).build()).build());
    assertEquals(Status.Code.DEADLINE_EXCEEDED, codeOf(timedOut));
    long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    Context.CancellableContext cancellable = Context.current().withCancellation();
    CompletableFuture<ModelInferResponse> cancelled =
        cancellable.call(() -> AsyncCalls.infer(gantry.async, BusyModel.request("busy", "cancelled")));
    CompletableFuture<ModelInferResponse> queued = AsyncCalls.infer(gantry.async, BusyModel.request("busy", "queued"));
    awaitQueued(2);
    CompletableFuture<ModelInferResponse> overflow = AsyncCalls.infer(gantry.async, BusyModel.request("busy", "overflow"));
    StatusRuntimeException full = (StatusRuntimeException) assertThrows(Exception.class,
        () -> overflow.get(30, TimeUnit.SECONDS)).getCause();
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, full.getStatus().getCode());
    assertTrue(full.getStatus().getDescription().contains("max_queue_size is 2"),
        full.getStatus().getDescription());
    assertTrue(!running.isDone(), "the overflow was refused while the instance was still busy");

    cancellable.cancel(null);
    assertEquals(Status.Code.CANCELLED, codeOf(cancelled));
    awaitQueued(1);

    running.get(60, TimeUnit.SECONDS);
    queued.get(60, TimeUnit.SECONDS);
    assertEquals(executionsBefore + 2, statistics("busy").getExecutionCount(),
        "only the running and the last queued request executed");
    assertEquals(timedOutBefore + 1, metrics.failures(FailureReason.TIMED_OUT));
    assertEquals(cancelledBefore + 1, metrics.failures(FailureReason.CANCELLED));
    assertTrue(waitedMillis < 5_000, "the timeout answered while the instance was busy");
  }

  @Test
  void grpcDeadlineRemovesAQueuedRequest() throws Exception {
    long executionsBefore = statistics("busy").getExecutionCount();
    CompletableFuture<ModelInferResponse> running = AsyncCalls.infer(gantry.async, BusyModel.request("busy", "running"));
    awaitQueued(0);
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> gantry.blocking.withDeadlineAfter(100, TimeUnit.MILLISECONDS)
            .modelInfer(BusyModel.request("busy", "late")));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
    awaitQueued(0);
    running.get(60, TimeUnit.SECONDS);
    assertEquals(executionsBefore + 1, statistics("busy").getExecutionCount());
  }
}
