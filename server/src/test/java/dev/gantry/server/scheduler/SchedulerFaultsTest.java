package dev.gantry.server.scheduler;

import static dev.gantry.server.scheduler.Requests.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.server.error.InternalException;
import dev.gantry.server.error.UnavailableException;
import dev.gantry.spi.ComputePhases;
import dev.gantry.spi.DataType;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.ModelSignature;
import dev.gantry.spi.Tensor;
import dev.gantry.spi.TensorSpec;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler facing a backend that hangs, throws errors or returns malformed results: the
 * watchdog turns a hung execution into INTERNAL for its batch only, a version whose every
 * instance is stuck is unavailable with a reason until one returns, and no fault costs a worker.
 */
class SchedulerFaultsTest {
  private static final Duration WATCHDOG = Duration.ofMillis(200);

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
      runnable -> new Thread(runnable, "scheduler-faults-test-timer"));
  private final List<ExecutionRecord> records = new CopyOnWriteArrayList<>();
  private final List<FakeInstance> fakes = new ArrayList<>();
  private ModelScheduler scheduler;

  @AfterEach
  void stop() {
    fakes.forEach(FakeInstance::open);
    if (scheduler != null) {
      scheduler.shutdown(Duration.ofSeconds(5));
    }
    timer.shutdownNow();
  }

  private ModelScheduler start(List<? extends ModelInstance> instances, Duration watchdog) {
    scheduler = new ModelScheduler("model 'fake' version 1", "test-faults",
        BatchingPolicy.unbatched(16), List.copyOf(instances), timer, Ticker.SYSTEM, records::add,
        watchdog);
    return scheduler;
  }

  private FakeInstance fake() {
    FakeInstance fake = new FakeInstance();
    fakes.add(fake);
    return fake;
  }

  private static CompletableFuture<Map<String, Tensor>> submit(
      ModelScheduler scheduler, String id, float value) {
    CompletableFuture<Map<String, Tensor>> outcome = new CompletableFuture<>();
    scheduler.submit(request(id, 1, 4, value, 1, InferenceRequest.NO_DEADLINE, outcome));
    return outcome;
  }

  private static Throwable failureOf(CompletableFuture<?> outcome) {
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> outcome.get(5, TimeUnit.SECONDS));
    return e.getCause();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
      Thread.sleep(5);
    }
  }

  @Test
  void aHungRequestAnsweredByTheWatchdogKeepsItsInputsUntilTheBackendReturns() throws Exception {
    FakeInstance hanging = fake();
    hanging.hold();
    start(List.of(hanging), WATCHDOG);
    AtomicInteger released = new AtomicInteger();
    CompletableFuture<Map<String, Tensor>> hung = new CompletableFuture<>();
    scheduler.submit(request("hung", 1, 4, 1f, 1, InferenceRequest.NO_DEADLINE, hung,
        ResponseListener.CALLING_THREAD, released::incrementAndGet));
    assertInstanceOf(InternalException.class, failureOf(hung));
    Thread.sleep(50);
    assertEquals(0, released.get(), "the backend may still read them");
    hanging.open();
    await("the inputs are released", () -> released.get() == 1);
  }

  @Test
  void hungExecutionFailsItsBatchAfterTheTimeoutWhileTheOtherInstanceServes() throws Exception {
    FakeInstance first = fake();
    FakeInstance second = fake();
    first.holdOnly(1f);
    second.holdOnly(1f);
    start(List.of(first, second), WATCHDOG);
    long start = System.nanoTime();
    CompletableFuture<Map<String, Tensor>> hung = submit(scheduler, "hung", 1f);
    await("the hung request runs", () -> scheduler.executing() == 1);
    assertEquals(8f, submit(scheduler, "other", 4f).get(5, TimeUnit.SECONDS)
        .get("y").data().getFloat(0));
    Throwable error = failureOf(hung);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertInstanceOf(InternalException.class, error);
    assertTrue(error.getMessage().contains("did not finish executing within the execution "
        + "timeout of 200 ms"), error.getMessage());
    assertTrue(millis >= 200 && millis < 5000, millis + " ms");
    await("the abandoned execution is accounted for",
        () -> scheduler.executing() == 0 && records.stream().anyMatch(r -> !r.succeeded()));
    assertTrue(scheduler.unavailableReason().isEmpty(), "one instance is still free");
    fakes.forEach(FakeInstance::open);
    for (int i = 0; i < 4; i++) {
      assertEquals(2f * i, submit(scheduler, "after" + i, i).get(5, TimeUnit.SECONDS)
          .get("y").data().getFloat(0));
    }
  }

  @Test
  void watchdogCatchesAHungExecutionThatFollowsManyQuickOnes() throws Exception {
    FakeInstance only = fake();
    only.holdOnly(9f);
    start(List.of(only), WATCHDOG);
    long quickUntil = System.nanoTime() + WATCHDOG.toNanos() * 3 / 2;
    int quick = 0;
    while (System.nanoTime() < quickUntil) {
      assertEquals(2f, submit(scheduler, "quick" + quick, 1f).get(5, TimeUnit.SECONDS)
          .get("y").data().getFloat(0));
      quick++;
    }
    long start = System.nanoTime();
    CompletableFuture<Map<String, Tensor>> hung = submit(scheduler, "hung", 9f);
    Throwable error = failureOf(hung);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertInstanceOf(InternalException.class, error);
    assertTrue(millis >= 200 && millis < 2000, millis + " ms after " + quick + " quick runs");
    assertEquals(quick, records.stream().filter(ExecutionRecord::succeeded).count());
  }

  @Test
  void versionWithEveryInstanceStuckIsUnavailableUntilOneReturns() throws Exception {
    FakeInstance only = fake();
    only.hold();
    start(List.of(only), WATCHDOG);
    CompletableFuture<Map<String, Tensor>> hung = submit(scheduler, "hung", 1f);
    assertTrue(only.started.await(5, TimeUnit.SECONDS));
    CompletableFuture<Map<String, Tensor>> queued = submit(scheduler, "queued", 2f);
    assertInstanceOf(InternalException.class, failureOf(hung));
    Throwable abandoned = failureOf(queued);
    assertInstanceOf(UnavailableException.class, abandoned);
    assertTrue(abandoned.getMessage().contains("every instance (1) is stuck"),
        abandoned.getMessage());
    assertTrue(scheduler.unavailableReason().isPresent());
    UnavailableException refused = assertThrows(UnavailableException.class,
        () -> submit(scheduler, "refused", 3f));
    assertTrue(refused.getMessage().contains("ran past the execution timeout of 200 ms"),
        refused.getMessage());
    only.open();
    await("the stuck instance returns", () -> scheduler.unavailableReason().isEmpty());
    assertEquals(10f, submit(scheduler, "after", 5f).get(5, TimeUnit.SECONDS)
        .get("y").data().getFloat(0));
    assertEquals(List.of(1L, 1L), only.batchRows, "neither refused request ever ran");
  }

  @Test
  void shutdownDoesNotWaitForAStuckInstanceWhichClosesWhenItReturns() throws Exception {
    FakeInstance only = fake();
    only.hold();
    start(List.of(only), WATCHDOG);
    CompletableFuture<Map<String, Tensor>> hung = submit(scheduler, "hung", 1f);
    assertInstanceOf(InternalException.class, failureOf(hung));
    long start = System.nanoTime();
    scheduler.shutdown(Duration.ofMillis(300));
    scheduler = null;
    assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 3000);
    assertFalse(only.closed, "an executing instance is never closed under its execution");
    only.open();
    await("the instance is closed by its own thread", () -> only.closed);
  }

  @Test
  void shutdownStartedBeforeTheWatchdogFiresStillEndsWhenItDoes() throws Exception {
    FakeInstance only = fake();
    only.hold();
    start(List.of(only), WATCHDOG);
    CompletableFuture<Map<String, Tensor>> hung = submit(scheduler, "hung", 1f);
    assertTrue(only.started.await(5, TimeUnit.SECONDS));
    long start = System.nanoTime();
    scheduler.shutdown(Duration.ofMillis(20));
    scheduler = null;
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(millis < 3000, "the shutdown waited " + millis + " ms");
    assertInstanceOf(InternalException.class, failureOf(hung));
    only.open();
    await("the instance is closed by its own thread", () -> only.closed);
  }

  @Test
  void withoutWatchdogASlowExecutionCompletes() throws Exception {
    FakeInstance only = fake();
    only.hold();
    start(List.of(only), Duration.ZERO);
    CompletableFuture<Map<String, Tensor>> slow = submit(scheduler, "slow", 1f);
    Thread.sleep(WATCHDOG.toMillis() * 2);
    assertFalse(slow.isDone());
    only.open();
    assertEquals(2f, slow.get(5, TimeUnit.SECONDS).get("y").data().getFloat(0));
  }

  /** A backend whose execute is given by a function of the input's first value. */
  private record Scripted(Function<Float, Map<String, Tensor>> behaviour) implements ModelInstance {
    @Override
    public ModelSignature signature() {
      return new ModelSignature(
          List.of(new TensorSpec("x", DataType.FP32, new long[] {-1, -1})),
          List.of(new TensorSpec("y", DataType.FP32, new long[] {-1, -1})));
    }

    @Override
    public String device() {
      return "CPU";
    }

    @Override
    public Map<String, Tensor> execute(
        Map<String, Tensor> inputs, Set<String> outputs, ComputePhases phases) {
      Tensor x = inputs.get("x");
      Map<String, Tensor> scripted = behaviour.apply(x.data().getFloat(0));
      return scripted != null ? scripted : Map.of("y", x);
    }

    @Override
    public void close() {}
  }

  private static Tensor rows(long rows) {
    return new Tensor(DataType.FP32, new long[] {rows, 4}, ByteBuffer.allocate((int) rows * 16));
  }

  @Test
  void errorsAndMalformedResultsFailOnlyTheirBatchAndNeverAWorker() throws Exception {
    start(List.of(new Scripted(value -> {
      if (value == 1f) {
        throw new StackOverflowError("injected");
      } else if (value == 2f) {
        throw new IllegalArgumentException("injected bug at /srv/secret/model.bin");
      } else if (value == 3f) {
        return Map.of();
      } else if (value == 4f) {
        return Map.of("z", rows(1));
      }
      return null;
    })), WATCHDOG);
    Throwable error = failureOf(submit(scheduler, "error", 1f));
    assertInstanceOf(InternalException.class, error);
    assertTrue(error.getMessage().contains("the backend raised StackOverflowError"),
        error.getMessage());
    Throwable bug = failureOf(submit(scheduler, "bug", 2f));
    assertFalse(bug.getMessage().contains("/srv/secret"), "a bug's message stays in the log");
    assertTrue(bug.getMessage().contains("IllegalArgumentException"), bug.getMessage());
    assertTrue(failureOf(submit(scheduler, "empty", 3f)).getMessage()
        .contains("returned a malformed result: the backend returned no output 'y'"));
    assertTrue(failureOf(submit(scheduler, "other", 4f)).getMessage()
        .contains("returned a malformed result: the backend returned no output 'y'"));
    assertEquals(5f, submit(scheduler, "fine", 5f).get(5, TimeUnit.SECONDS)
        .get("y").data().getFloat(0));
    await("every execution is accounted for",
        () -> scheduler.executing() == 0 && records.size() == 5);
    assertEquals(1, records.stream().filter(ExecutionRecord::succeeded).count());
  }
}
