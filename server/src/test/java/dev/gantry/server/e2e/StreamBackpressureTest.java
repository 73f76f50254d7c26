package dev.gantry.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.modelgen.OnnxModels;
import dev.gantry.proto.GRPCInferenceServiceGrpc;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferResponse;
import dev.gantry.proto.ModelStatistics;
import dev.gantry.proto.ModelStatisticsRequest;
import dev.gantry.proto.ModelStreamInferResponse;
import dev.gantry.server.ServerOptions;
import dev.gantry.server.scheduler.ModelScheduler;
import dev.gantry.spi.DataType;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that misbehave on streams cost the server nothing lasting: one that sends far faster
 * than it reads stops being read once its responses back up (instead of having every request
 * executed and every response buffered), and one that disconnects has its queued requests
 * withdrawn unexecuted, on streams and unary calls alike.
 */
class StreamBackpressureTest {
  private static final int WIDTH = 16 * 1024;
  private static final int WINDOW = ServerOptions.DEFAULT_STREAM_WINDOW;

  @TempDir static Path repository;
  static RunningServer gantry;

  @BeforeAll
  static void start() throws Exception {
    new TestRepository(repository)
        .onnx("wide", 1, OnnxModels.identity("x", "y", DataType.FP32, -1, WIDTH))
        .config("wide", "max_batch_size: 8\n")
        .onnx("busy", 1, BusyModel.onnx(40))
        .config("busy", """
            dynamic_batching { default_queue_policy { max_queue_size: 100 } }
            instance_group [ { count: 1 kind: KIND_CPU } ]
            """);
    gantry = RunningServer.on(new TestRepository(repository));
  }

  @AfterAll
  static void stop() throws Exception {
    gantry.close();
  }

  /** A channel of its own, with a small HTTP/2 window so that unread responses back up fast. */
  private static ManagedChannel channel() {
    return NettyChannelBuilder.forAddress("127.0.0.1", gantry.server.port())
        .usePlaintext()
        .flowControlWindow(128 * 1024)
        .maxInboundMessageSize(64 * 1024 * 1024)
        .build();
  }

  private static ModelInferRequest wide(int i) {
    return ModelInferRequest.newBuilder()
        .setModelName("wide").setId("r" + i)
        .addInputs(Tensors.input("x", "FP32", 1, WIDTH))
        .addRawInputContents(Tensors.floats(new float[WIDTH]))
        .build();
  }

  private static ModelStatistics statistics(String model) {
    return gantry.blocking.modelStatistics(
        ModelStatisticsRequest.newBuilder().setName(model).build()).getModelStats(0);
  }

  /** Waits until a count stops changing for a second, and returns it. */
  private static long settled(java.util.function.LongSupplier count) throws InterruptedException {
    long last = count.getAsLong();
    long stableSince = System.nanoTime();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() - stableSince < TimeUnit.SECONDS.toNanos(1)) {
      assertTrue(System.nanoTime() < deadline, "the count never settled");
      Thread.sleep(50);
      long now = count.getAsLong();
      if (now != last) {
        last = now;
        stableSince = System.nanoTime();
      }
    }
    return last;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
      Thread.sleep(10);
    }
  }

  @Test
  void clientThatDoesNotReadStopsBeingReadUntilItReadsAgain() throws Exception {
    int sent = 300;
    ManagedChannel channel = channel();
    try {
      AtomicReference<ClientCallStreamObserver<ModelInferRequest>> call = new AtomicReference<>();
      AtomicInteger received = new AtomicInteger();
      CompletableFuture<Void> done = new CompletableFuture<>();
      StreamObserver<ModelInferRequest> out = GRPCInferenceServiceGrpc.newStub(channel)
          .modelStreamInfer(new ClientResponseObserver<ModelInferRequest, ModelStreamInferResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<ModelInferRequest> requests) {
              requests.disableAutoRequestWithInitial(0);
              call.set(requests);
            }

            @Override
            public void onNext(ModelStreamInferResponse response) {
              assertEquals("", response.getErrorMessage());
              received.incrementAndGet();
            }

            @Override
            public void onError(Throwable t) {
              done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
              done.complete(null);
            }
          });
      long before = statistics("wide").getInferenceStats().getSuccess().getCount();
      for (int i = 0; i < sent; i++) {
        out.onNext(wide(i));
      }
      out.onCompleted();
      await("the server reads its window",
          () -> statistics("wide").getInferenceStats().getSuccess().getCount() - before >= WINDOW);
      long executed = settled(() -> statistics("wide").getInferenceStats().getSuccess().getCount())
          - before;
      assertTrue(executed >= WINDOW && executed <= WINDOW + 16,
          executed + " of " + sent + " requests ran while the client read nothing");
      assertEquals(0, received.get());
      call.get().request(Integer.MAX_VALUE);
      done.get(60, TimeUnit.SECONDS);
      assertEquals(sent, received.get());
      assertEquals(sent,
          statistics("wide").getInferenceStats().getSuccess().getCount() - before);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void disconnectingClientsHaveTheirQueuedRequestsWithdrawnUnexecuted() throws Exception {
    ModelScheduler busy = gantry.server.repository().resolve("busy", "").scheduler();
    long executedBefore = statistics("busy").getExecutionCount();
    long failedBefore = statistics("busy").getInferenceStats().getFail().getCount();
    ManagedChannel channel = channel();
    StreamObserver<ModelInferRequest> stream = GRPCInferenceServiceGrpc.newStub(channel)
        .modelStreamInfer(new StreamObserver<>() {
          @Override
          public void onNext(ModelStreamInferResponse response) {}

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        });
    for (int i = 0; i < 10; i++) {
      stream.onNext(BusyModel.request("busy", "s" + i));
    }
    GRPCInferenceServiceGrpc.GRPCInferenceServiceStub unary =
        GRPCInferenceServiceGrpc.newStub(channel);
    for (int i = 0; i < 10; i++) {
      AsyncCalls.infer(unary, BusyModel.request("busy", "u" + i));
    }
    await("requests are queued", () -> busy.queued() >= 15);
    int queued = busy.queued();
    channel.shutdownNow();
    await("the queue is empty", () -> busy.queued() == 0);
    await("nothing executes", () -> busy.executing() == 0);
    long executed = statistics("busy").getExecutionCount() - executedBefore;
    assertTrue(executed <= 20 - queued, executed + " executions for " + queued + " withdrawn");
    long failed = settled(() -> statistics("busy").getInferenceStats().getFail().getCount())
        - failedBefore;
    assertTrue(failed >= queued, failed + " cancellations counted for " + queued + " queued");
    String metrics = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + gantry.server.metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertTrue(metrics.contains("gantry_grpc_calls_in_flight{method=\"ModelStreamInfer\"} 0"),
        "no stream left open");
    assertTrue(metrics.contains("gantry_grpc_calls_in_flight{method=\"ModelInfer\"} 0"),
        "no unary call left open");
    ModelInferResponse after = gantry.blocking.modelInfer(BusyModel.request("busy", "after"));
    assertEquals("after", after.getId());
  }
}
