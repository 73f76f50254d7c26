package dev.gantry.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Deadline;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class AsyncInferenceTest {
  private FakeServer server;
  private InferenceClient client;

  @BeforeEach
  void start() {
    server = FakeServer.plaintext();
    client = InferenceClient.builder().target(server.target()).build();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  @Test
  void manyConcurrentFuturesEachGetTheirOwnResult() throws Exception {
    List<CompletableFuture<InferResult>> futures = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      futures.add(client.inferAsync(request(i).id("r" + i).build()));
    }
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    for (int i = 0; i < futures.size(); i++) {
      InferResult result = futures.get(i).get();
      assertEquals("r" + i, result.id());
      assertArrayEquals(new int[] {i, -i}, result.output("OUTPUT0").asInts());
    }
    assertEquals(200, server.service.attempts("ModelInfer"));
  }

  @Test
  void callbacksRunOnTheExecutorTheClientWasGiven() throws Exception {
    List<String> threads = new CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newSingleThreadExecutor(
        runnable -> new Thread(runnable, "chosen-executor"));
    try (InferenceClient chosen = InferenceClient.builder()
        .target(server.target())
        .executor(task -> pool.execute(() -> {
          threads.add(Thread.currentThread().getName());
          task.run();
        }))
        .build()) {
      InferResult result =
          chosen.inferAsync(request(7).id("on-executor").build()).get(30, TimeUnit.SECONDS);
      assertEquals("on-executor", result.id());
      assertTrue(!threads.isEmpty() && threads.stream().allMatch("chosen-executor"::equals),
          "the call's callbacks ran on the executor: " + threads);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void requestDeadlineExpires() {
    InferenceClientException error =
        assertThrows(
            InferenceClientException.class,
            () ->
                client.infer(
                    request(1)
                        .parameter("delay_ms", 5_000L)
                        .deadline(Duration.ofMillis(100))
                        .build()));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, error.code());
  }

  @Test
  void asyncDeadlineFailsTheFuture() {
    CompletableFuture<InferResult> future =
        client.inferAsync(
            request(1).parameter("delay_ms", 5_000L).deadline(Duration.ofMillis(100)).build());
    ExecutionException error =
        assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
    InferenceClientException cause =
        assertInstanceOf(InferenceClientException.class, error.getCause());
    assertEquals(Status.Code.DEADLINE_EXCEEDED, cause.code());
  }

  @Test
  void defaultDeadlineAppliesAndTravelsToTheServer() throws InterruptedException {
    try (InferenceClient bounded =
        InferenceClient.builder()
            .target(server.target())
            .defaultDeadline(Duration.ofMillis(200))
            .build()) {
      InferenceClientException error =
          assertThrows(
              InferenceClientException.class,
              () -> bounded.infer(request(1).parameter("delay_ms", 5_000L).build()));
      assertEquals(Status.Code.DEADLINE_EXCEEDED, error.code());

      bounded.infer(request(2).deadline(Duration.ofSeconds(30)).build());
      bounded.isServerReady();
    }
    List<Deadline> deadlines = new ArrayList<>(server.service.deadlines);
    Deadline inference = deadlines.get(deadlines.size() - 2);
    Deadline readiness = deadlines.get(deadlines.size() - 1);
    long overridden = inference.timeRemaining(TimeUnit.SECONDS);
    assertTrue(overridden > 20 && overridden <= 30, "request deadline, got " + overridden + "s");
    assertTrue(readiness.timeRemaining(TimeUnit.MILLISECONDS) <= 200, "default deadline");
  }

  @Test
  void cancellingTheFutureCancelsTheCall() throws InterruptedException {
    CompletableFuture<InferResult> future =
        client.inferAsync(request(1).parameter("delay_ms", 10_000L).build());
    assertTrue(server.service.inferStarted.await(10, TimeUnit.SECONDS));
    assertTrue(future.cancel(true));
    assertTrue(server.service.inferCancelled.await(5, TimeUnit.SECONDS), "server saw the cancel");
  }

  @Test
  void interruptingABlockingCallCancelsIt() throws InterruptedException {
    Thread caller = Thread.currentThread();
    Thread interrupter =
        new Thread(
            () -> {
              try {
                if (server.service.inferStarted.await(10, TimeUnit.SECONDS)) {
                  caller.interrupt();
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    interrupter.start();
    InferenceClientException error =
        assertThrows(
            InferenceClientException.class,
            () -> client.infer(request(1).parameter("delay_ms", 10_000L).build()));
    assertTrue(Thread.interrupted(), "the interrupt is kept");
    assertEquals(Status.Code.CANCELLED, error.code());
    assertTrue(server.service.inferCancelled.await(5, TimeUnit.SECONDS), "server saw the cancel");
    interrupter.join();
  }

  private static InferRequest.Builder request(int value) {
    return InferRequest.builder("simple")
        .input(InferInput.int32("INPUT0", new int[] {value, -value}, 1, 2));
  }
}
