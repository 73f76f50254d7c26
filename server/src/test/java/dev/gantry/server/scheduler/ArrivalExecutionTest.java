package dev.gantry.server.scheduler;

import static dev.gantry.server.scheduler.Requests.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.spi.Tensor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Requests of a model that does not batch running on the thread they arrive on
 * ({@code execute_on_arrival_us}): only once the model's executions are steadily within the bound,
 * only with an idle instance, never two on one instance at once, and never past an unload.
 */
class ArrivalExecutionTest {
  private static final String INSTANCE_THREAD = "test-fake-instance-0";

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final FakeInstance instance = new FakeInstance();
  private final List<ExecutionRecord> records = new CopyOnWriteArrayList<>();
  private ModelScheduler scheduler;

  @AfterEach
  void stop() {
    instance.open();
    if (scheduler != null) {
      scheduler.shutdown(Duration.ofSeconds(5));
    }
    timer.shutdownNow();
  }

  private void start(Duration bound) {
    BatchingPolicy policy = new BatchingPolicy(0, false, new int[0], 0, false, 1,
        List.of(new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, 0, false, 16)), bound.toNanos());
    scheduler = new ModelScheduler("model 'fake' version 1", "test-fake", policy,
        List.of(instance), timer, Ticker.SYSTEM, records::add, Duration.ZERO);
  }

  /** Runs requests one at a time, each answered before the next, until one runs on arrival. */
  private String runUntilOnArrival(int atMost) throws Exception {
    for (int i = 0; i < atMost; i++) {
      CompletableFuture<Map<String, Tensor>> outcome = new CompletableFuture<>();
      scheduler.submit(request("r" + i, 1, 4, 1f, 1, InferenceRequest.NO_DEADLINE, outcome));
      outcome.get(5, TimeUnit.SECONDS);
      String thread = instance.threads.get(instance.threads.size() - 1);
      if (!thread.equals(INSTANCE_THREAD)) {
        return thread;
      }
      Thread.sleep(1);
    }
    return INSTANCE_THREAD;
  }

  /**
   * Submits a request of {@code value} from a thread named "arriving" and returns once it runs
   * there, held at the instance's gate until {@link FakeInstance#open()}.
   */
  private CompletableFuture<Map<String, Tensor>> heldOnArrival(float value) throws Exception {
    instance.hold();
    CompletableFuture<Map<String, Tensor>> outcome = new CompletableFuture<>();
    new Thread(() -> scheduler.submit(
        request("held", 1, 4, value, 1, InferenceRequest.NO_DEADLINE, outcome)), "arriving")
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!instance.threads.get(instance.threads.size() - 1).equals("arriving")
        && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertEquals("arriving", instance.threads.get(instance.threads.size() - 1),
        "the held request runs on arrival");
    return outcome;
  }

  @Test
  void aSteadilyCheapModelRunsOnTheArrivingThreadWhenItsInstanceIsIdle() throws Exception {
    start(Duration.ofSeconds(1));

    String thread = runUntilOnArrival(ArrivalExecution.STEADY_EXECUTIONS * 2);

    assertEquals(Thread.currentThread().getName(), thread);
    int first = instance.threads.indexOf(thread);
    assertTrue(first >= ArrivalExecution.STEADY_EXECUTIONS, "only after the steady executions");
    assertTrue(instance.threads.subList(0, first).stream().allMatch(INSTANCE_THREAD::equals));
    ExecutionRecord onArrival = records.get(records.size() - 1);
    assertEquals(DispatchReason.ON_ARRIVAL, onArrival.reason());
    assertTrue(onArrival.succeeded());
  }

  @Test
  void withoutTheParameterEveryRequestRunsOnTheInstanceThread() throws Exception {
    start(Duration.ZERO);

    assertEquals(INSTANCE_THREAD, runUntilOnArrival(ArrivalExecution.STEADY_EXECUTIONS * 2));
  }

  @Test
  void oneExecutionOverTheBoundSendsTheModelBackToItsInstanceThread() throws Exception {
    start(Duration.ofMillis(50));
    assertEquals(Thread.currentThread().getName(),
        runUntilOnArrival(ArrivalExecution.STEADY_EXECUTIONS * 2));

    instance.hold();
    timer.schedule(instance::open, 120, TimeUnit.MILLISECONDS);
    CompletableFuture<Map<String, Tensor>> slow = new CompletableFuture<>();
    scheduler.submit(request("slow", 1, 4, 1f, 1, InferenceRequest.NO_DEADLINE, slow));
    slow.get(5, TimeUnit.SECONDS);
    int afterSlow = instance.threads.size();

    String thread = runUntilOnArrival(ArrivalExecution.STEADY_EXECUTIONS * 2);
    assertEquals(Thread.currentThread().getName(), thread);
    assertTrue(instance.threads.subList(afterSlow, instance.threads.size() - 1).stream()
            .filter(INSTANCE_THREAD::equals).count() >= ArrivalExecution.STEADY_EXECUTIONS - 1,
        "the steady executions again, on the instance thread");
  }

  @Test
  void aRequestArrivingWhileTheInstanceIsLentWaitsForItAndNeverRunsBesideIt() throws Exception {
    start(Duration.ofSeconds(1));
    assertEquals(Thread.currentThread().getName(),
        runUntilOnArrival(ArrivalExecution.STEADY_EXECUTIONS * 2));
    CompletableFuture<Map<String, Tensor>> lentOut = heldOnArrival(1f);
    CompletableFuture<Map<String, Tensor>> queued = new CompletableFuture<>();
    scheduler.submit(request("queued", 1, 4, 3f, 1, InferenceRequest.NO_DEADLINE, queued));
    Thread.sleep(50);
    assertFalse(queued.isDone(), "the instance is lent to the held request");

    instance.open();
    lentOut.get(5, TimeUnit.SECONDS);
    assertEquals(6f, queued.get(5, TimeUnit.SECONDS).get("y").data().getFloat(0));
    assertEquals(1, instance.mostAtOnce.get());
    assertEquals(INSTANCE_THREAD, instance.threads.get(instance.threads.size() - 1));
  }

  @Test
  void aQueuedRequestReachesAnIdleInstanceWhileAnotherIsLent() throws Exception {
    FakeInstance second = new FakeInstance();
    BatchingPolicy policy = new BatchingPolicy(0, false, new int[0], 0, false, 1,
        List.of(new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, 0, false, 16)),
        Duration.ofMillis(50).toNanos());
    scheduler = new ModelScheduler("model 'fake' version 1", "test-fake", policy,
        List.of(instance, second), timer, Ticker.SYSTEM, records::add, Duration.ZERO);
    for (int i = 0; i < ArrivalExecution.STEADY_EXECUTIONS * 3; i++) {
      CompletableFuture<Map<String, Tensor>> outcome = new CompletableFuture<>();
      scheduler.submit(request("r" + i, 1, 4, 1f, 1, InferenceRequest.NO_DEADLINE, outcome));
      outcome.get(5, TimeUnit.SECONDS);
      Thread.sleep(1);
    }
    CompletableFuture<Map<String, Tensor>> held = heldOnArrival(2f);
    second.hold();
    timer.schedule(second::open, 120, TimeUnit.MILLISECONDS);
    CompletableFuture<Map<String, Tensor>> slow = new CompletableFuture<>();
    scheduler.submit(request("slow", 1, 4, 3f, 1, InferenceRequest.NO_DEADLINE, slow));
    slow.get(5, TimeUnit.SECONDS);

    CompletableFuture<Map<String, Tensor>> queued = new CompletableFuture<>();
    scheduler.submit(request("queued", 1, 4, 4f, 1, InferenceRequest.NO_DEADLINE, queued));

    assertEquals(8f, queued.get(2, TimeUnit.SECONDS).get("y").data().getFloat(0),
        "answered by the idle instance while the other is still lent");
    assertFalse(held.isDone());
    assertEquals("test-fake-instance-1", second.threads.get(second.threads.size() - 1));
    instance.open();
    assertEquals(4f, held.get(5, TimeUnit.SECONDS).get("y").data().getFloat(0));
  }

  @Test
  void anUnloadWaitsForARequestRunningOnArrivalBeforeClosingTheInstance() throws Exception {
    start(Duration.ofSeconds(1));
    assertEquals(Thread.currentThread().getName(),
        runUntilOnArrival(ArrivalExecution.STEADY_EXECUTIONS * 2));
    CompletableFuture<Map<String, Tensor>> held = heldOnArrival(2f);
    Thread unloading = new Thread(() -> scheduler.shutdown(Duration.ofSeconds(5)), "unloading");
    unloading.start();
    Thread.sleep(100);
    assertFalse(instance.closed, "closed under a running request");
    assertTrue(unloading.isAlive(), "the unload waits for the request running on arrival");

    instance.open();
    assertEquals(4f, held.get(5, TimeUnit.SECONDS).get("y").data().getFloat(0));
    unloading.join(5_000);
    assertTrue(instance.closed);
    scheduler = null;
  }
}
