package dev.gantry.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.client.InferInput;
import dev.gantry.client.InferRequest;
import dev.gantry.client.InferResult;
import dev.gantry.client.InferenceClient;
import dev.gantry.client.RetryPolicy;
import dev.gantry.server.metrics.FailureReason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java client against a real server that is busy: a full queue is retried until it has room,
 * and a cancelled call leaves the server's queue without running.
 */
class ClientRetryAndCancelTest {
  private static InferRequest busy(String id) {
    return InferRequest.builder("busy").id(id)
        .input(InferInput.fp32("x", new float[BusyModel.SIZE * BusyModel.SIZE],
            BusyModel.SIZE, BusyModel.SIZE))
        .build();
  }


  @Test
  void aFullQueueIsRetriedUntilItHasRoomAndACancelledCallNeverRuns(@TempDir Path root)
      throws Exception {
    new TestRepository(root)
        .onnx("busy", 1, BusyModel.onnx(300))
        .config("busy", "dynamic_batching { default_queue_policy { max_queue_size: 1 } }\n");
    try (RunningServer gantry = RunningServer.on(new TestRepository(root));
        InferenceClient plain = InferenceClient.builder()
            .target("127.0.0.1:" + gantry.server.port()).build();
        InferenceClient retrying = InferenceClient.builder()
            .target("127.0.0.1:" + gantry.server.port())
            .retryInference(true)
            .retryPolicy(RetryPolicy.builder().maxAttempts(50)
                .initialBackoff(Duration.ofMillis(50)).maxBackoff(Duration.ofMillis(200))
                .build())
            .build()) {
      var metrics = gantry.server.repository().resolve("busy", "").metrics();
      CompletableFuture<InferResult> running = plain.inferAsync(busy("running"));
      BusyModel.awaitQueued(gantry, 1, 0);
      CompletableFuture<InferResult> cancelled = plain.inferAsync(busy("cancelled"));
      BusyModel.awaitQueued(gantry, 1, 1);
      cancelled.cancel(true);
      BusyModel.awaitQueued(gantry, 1, 0);
      // The failure is counted when its answer is handed to the call's event loop, just after
      // the request leaves the queue.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (metrics.failures(FailureReason.CANCELLED) == 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertEquals(1, metrics.failures(FailureReason.CANCELLED));

      CompletableFuture<InferResult> queued = plain.inferAsync(busy("queued"));
      BusyModel.awaitQueued(gantry, 1, 1);
      InferResult retried = retrying.infer(busy("retried"));
      assertEquals("retried", retried.id());
      assertTrue(metrics.failures(FailureReason.REJECTED) >= 1,
          "the first attempts found the queue full");
      running.get(60, TimeUnit.SECONDS);
      queued.get(60, TimeUnit.SECONDS);
      assertEquals(3, gantry.blocking.modelStatistics(
          dev.gantry.proto.ModelStatisticsRequest.newBuilder().setName("busy").build())
          .getModelStats(0).getExecutionCount(), "the cancelled call never ran");
    }
  }
}
