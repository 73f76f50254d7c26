package dev.gantry.server.scheduler;

import static dev.gantry.server.scheduler.Requests.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.server.error.CancelledException;
import dev.gantry.server.error.DeadlineExceededException;
import dev.gantry.server.error.InternalException;
import dev.gantry.server.error.ResourceExhaustedException;
import dev.gantry.server.error.UnavailableException;
import dev.gantry.spi.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scheduler's threads, deadlines, cancellation and result splitting, over a fake backend. */
class ModelSchedulerTest {
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

  private ModelScheduler start(BatchingPolicy policy) {
    scheduler = new ModelScheduler("model 'fake' version 1", "test-fake", policy,
        List.of(instance), timer, Ticker.SYSTEM, records::add, Duration.ZERO);
    return scheduler;
  }

  private static BatchingPolicy batching(int max, long delayMicros, int queueSize) {
    return new BatchingPolicy(max, true, new int[0], TimeUnit.MICROSECONDS.toNanos(delayMicros),
        false, 1, List.of(new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, 0, false, queueSize)),
        0);
  }

  private static float[] floats(Map<String, Tensor> outputs) {
    Tensor y = outputs.get("y");
    float[] values = new float[(int) y.elementCount()];
    y.data().asFloatBuffer().get(values);
    return values;
  }

  private List<ExecutionRecord> awaitRecords(int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (records.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(count, records.size());
    return records;
  }

  private static long nanosFromNow(long millis) {
    return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
  }

  private static Throwable failureOf(CompletableFuture<?> outcome) throws Exception {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> outcome.get(5, TimeUnit.SECONDS));
    return e.getCause();
  }

  @Test
  void queuedRequestsAreBatchedAndEachGetsItsOwnRows() throws Exception {
    start(batching(8, 0, 16));
    instance.hold();
    CompletableFuture<Map<String, Tensor>> blocker = new CompletableFuture<>();
    scheduler.submit(request("blocker", 1, 4, 0f, 1, InferenceRequest.NO_DEADLINE, blocker));
    assertTrue(instance.started.await(5, TimeUnit.SECONDS));
    List<CompletableFuture<Map<String, Tensor>>> outcomes = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      CompletableFuture<Map<String, Tensor>> outcome = new CompletableFuture<>();
      scheduler.submit(request("r" + i, i, 4, i, 1, InferenceRequest.NO_DEADLINE, outcome));
      outcomes.add(outcome);
    }
    instance.open();
    blocker.get(5, TimeUnit.SECONDS);
    for (int i = 1; i <= 3; i++) {
      float[] values = floats(outcomes.get(i - 1).get(5, TimeUnit.SECONDS));
      assertEquals(i * 4, values.length);
      for (float value : values) {
        assertEquals(2f * i, value);
      }
    }
    assertEquals(List.of(1L, 6L), instance.batchRows);
    ExecutionRecord batched = awaitRecords(2).get(1);
    assertEquals(3, batched.requests());
    assertEquals(6, batched.items());
    assertEquals(3, batched.queueNanos().length);
    assertTrue(batched.succeeded());
  }

  /** An executor that counts the tasks it is handed and runs them on one thread of its own. */
  private static final class CountingExecutor implements Executor {
    final AtomicInteger tasks = new AtomicInteger();
    final ExecutorService thread = Executors.newSingleThreadExecutor();

    @Override
    public void execute(Runnable task) {
      tasks.incrementAndGet();
      thread.execute(task);
    }
  }

  @Test
  void outcomesOfOneBatchReachTheirExecutorAsOneTaskInOrder() throws Exception {
    start(batching(8, 0, 16));
    instance.hold();
    CompletableFuture<Map<String, Tensor>> blocker = new CompletableFuture<>();
    scheduler.submit(request("blocker", 1, 4, 0f, 1, InferenceRequest.NO_DEADLINE, blocker));
    assertTrue(instance.started.await(5, TimeUnit.SECONDS));
    CountingExecutor loop = new CountingExecutor();
    List<String> delivered = new CopyOnWriteArrayList<>();
    List<CompletableFuture<Map<String, Tensor>>> outcomes = new ArrayList<>();
    try {
      for (int i = 1; i <= 4; i++) {
        String id = "r" + i;
        CompletableFuture<Map<String, Tensor>> outcome = new CompletableFuture<>() {
          @Override
          public boolean complete(Map<String, Tensor> outputs) {
            delivered.add(id + " on " + Thread.currentThread().getName());
            return super.complete(outputs);
          }
        };
        scheduler.submit(
            request(id, 1, 4, i, 1, InferenceRequest.NO_DEADLINE, outcome, loop));
        outcomes.add(outcome);
      }
      instance.open();
      for (int i = 1; i <= 4; i++) {
        assertEquals(2f * i, floats(outcomes.get(i - 1).get(5, TimeUnit.SECONDS))[0]);
      }
      assertEquals(List.of(1L, 4L), instance.batchRows);
      assertEquals(1, loop.tasks.get(), "one hand-over for the batch of four");
      String thread = delivered.get(0).substring(delivered.get(0).indexOf(" on ") + 4);
      assertEquals(List.of("r1 on " + thread, "r2 on " + thread, "r3 on " + thread,
          "r4 on " + thread), delivered);
      assertTrue(thread.startsWith("pool-"), "delivered on the executor's thread: " + thread);
    } finally {
      loop.thread.shutdownNow();
    }
  }

  @Test
  void anExecutorThatRefusesStillGetsItsOutcomesDeliveredInline() throws Exception {
    start(batching(8, 0, 16));
    Executor closed = task -> {
      throw new RejectedExecutionException("event loop shut down");
    };
    CompletableFuture<Map<String, Tensor>> outcome = new CompletableFuture<>();
    scheduler.submit(request("r", 1, 4, 3f, 1, InferenceRequest.NO_DEADLINE, outcome, closed));
    assertEquals(6f, floats(outcome.get(5, TimeUnit.SECONDS))[0]);
  }

  @Test
  void expiredRequestLeavesTheQueueWhileTheInstanceIsBusy() throws Exception {
    start(batching(8, 0, 16));
    instance.hold();
    CompletableFuture<Map<String, Tensor>> blocker = new CompletableFuture<>();
    scheduler.submit(request("blocker", 1, 4, 1f, 1, InferenceRequest.NO_DEADLINE, blocker));
    assertTrue(instance.started.await(5, TimeUnit.SECONDS));
    CompletableFuture<Map<String, Tensor>> late = new CompletableFuture<>();
    scheduler.submit(request("late", 1, 4, 7f, 1, nanosFromNow(50), late));
    Throwable error = failureOf(late);
    assertInstanceOf(DeadlineExceededException.class, error);
    assertTrue(error.getMessage().contains("'late'"), error.getMessage());
    assertEquals(0, scheduler.queued());
    instance.open();
    blocker.get(5, TimeUnit.SECONDS);
    assertEquals(List.of(1f), instance.firstValues);
  }

  @Test
  void eachQueuedRequestExpiresAtItsOwnDeadlineWhateverTheOrderOfArrival() throws Exception {
    start(batching(8, 0, 16));
    instance.hold();
    CompletableFuture<Map<String, Tensor>> blocker = new CompletableFuture<>();
    scheduler.submit(request("blocker", 1, 4, 1f, 1, InferenceRequest.NO_DEADLINE, blocker));
    assertTrue(instance.started.await(5, TimeUnit.SECONDS));
    CompletableFuture<Map<String, Tensor>> later = new CompletableFuture<>();
    CompletableFuture<Map<String, Tensor>> sooner = new CompletableFuture<>();
    CompletableFuture<Map<String, Tensor>> never = new CompletableFuture<>();
    long queued = System.nanoTime();
    scheduler.submit(request("later", 1, 4, 2f, 1, nanosFromNow(400), later));
    scheduler.submit(request("sooner", 1, 4, 3f, 1, nanosFromNow(100), sooner));
    scheduler.submit(request("never", 1, 4, 4f, 1, InferenceRequest.NO_DEADLINE, never));
    assertInstanceOf(DeadlineExceededException.class, failureOf(sooner));
    long soonerMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - queued);
    assertTrue(soonerMillis < 400, "the earlier deadline did not wait for the later one: "
        + soonerMillis + " ms");
    assertInstanceOf(DeadlineExceededException.class, failureOf(later));
    assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - queued) >= 400);
    assertEquals(1, scheduler.queued());
    instance.open();
    blocker.get(5, TimeUnit.SECONDS);
    assertEquals(8f, floats(never.get(5, TimeUnit.SECONDS))[0]);
    assertEquals(List.of(1f, 4f), instance.firstValues, "expired requests never ran");
  }

  @Test
  void aRequestExpiresOnTimeAfterTheOneTheTimerWasArmedForWasDispatched() throws Exception {
    start(batching(8, 0, 16));
    CompletableFuture<Map<String, Tensor>> first = new CompletableFuture<>();
    scheduler.submit(request("first", 1, 4, 1f, 1, nanosFromNow(100), first));
    assertEquals(2f, floats(first.get(5, TimeUnit.SECONDS))[0]);
    instance.hold();
    CompletableFuture<Map<String, Tensor>> blocker = new CompletableFuture<>();
    scheduler.submit(request("blocker", 1, 4, 5f, 1, InferenceRequest.NO_DEADLINE, blocker));
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (scheduler.executing() == 0 && System.nanoTime() < until) {
      Thread.sleep(1);
    }
    assertEquals(1, scheduler.executing(), "the blocker runs alone");
    CompletableFuture<Map<String, Tensor>> second = new CompletableFuture<>();
    long queued = System.nanoTime();
    scheduler.submit(request("second", 1, 4, 6f, 1, nanosFromNow(300), second));
    assertInstanceOf(DeadlineExceededException.class, failureOf(second));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - queued);
    assertTrue(millis >= 290 && millis < 2000, "expired after " + millis + " ms");
    instance.open();
    blocker.get(5, TimeUnit.SECONDS);
    assertEquals(List.of(1f, 5f), instance.firstValues);
  }

  @Test
  void cancelledRequestIsNeverExecuted() throws Exception {
    start(batching(8, 0, 16));
    instance.hold();
    CompletableFuture<Map<String, Tensor>> blocker = new CompletableFuture<>();
    scheduler.submit(request("blocker", 1, 4, 1f, 1, InferenceRequest.NO_DEADLINE, blocker));
    assertTrue(instance.started.await(5, TimeUnit.SECONDS));
    CompletableFuture<Map<String, Tensor>> gone = new CompletableFuture<>();
    InferenceRequest request = request("gone", 1, 4, 9f, 1, InferenceRequest.NO_DEADLINE, gone);
    scheduler.submit(request);
    scheduler.cancel(request, new CancelledException("client went away"));
    assertInstanceOf(CancelledException.class, failureOf(gone));
    instance.open();
    blocker.get(5, TimeUnit.SECONDS);
    CompletableFuture<Map<String, Tensor>> after = new CompletableFuture<>();
    scheduler.submit(request("after", 1, 4, 3f, 1, InferenceRequest.NO_DEADLINE, after));
    after.get(5, TimeUnit.SECONDS);
    assertEquals(List.of(1f, 3f), instance.firstValues);
  }

  @Test
  void inputsAreReleasedOnceTheBackendReturnedOrAtOnceForARequestThatWillNotRun()
      throws Exception {
    start(batching(1, 0, 16));
    instance.hold();
    AtomicInteger runningReleased = new AtomicInteger();
    CompletableFuture<Map<String, Tensor>> running = new CompletableFuture<>();
    scheduler.submit(request("running", 1, 4, 1f, 1, InferenceRequest.NO_DEADLINE, running,
        ResponseListener.CALLING_THREAD, runningReleased::incrementAndGet));
    assertTrue(instance.started.await(5, TimeUnit.SECONDS));

    AtomicInteger cancelledReleased = new AtomicInteger();
    InferenceRequest cancelled = request("cancelled", 1, 4, 2f, 1, InferenceRequest.NO_DEADLINE,
        new CompletableFuture<>(), ResponseListener.CALLING_THREAD,
        cancelledReleased::incrementAndGet);
    scheduler.submit(cancelled);
    scheduler.cancel(cancelled, new CancelledException("client went away"));
    scheduler.cancel(cancelled, new CancelledException("and again"));
    assertEquals(1, cancelledReleased.get(), "withdrawn from the queue: nothing reads it again");

    AtomicInteger expiredReleased = new AtomicInteger();
    CompletableFuture<Map<String, Tensor>> expired = new CompletableFuture<>();
    scheduler.submit(request("expired", 1, 4, 3f, 1, nanosFromNow(20), expired,
        ResponseListener.CALLING_THREAD, expiredReleased::incrementAndGet));
    assertInstanceOf(DeadlineExceededException.class, failureOf(expired));
    assertEquals(1, expiredReleased.get());

    Thread.sleep(50);
    assertEquals(0, runningReleased.get(), "the backend is still reading the running request");
    instance.open();
    running.get(5, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (runningReleased.get() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertEquals(1, runningReleased.get());
  }

  @Test
  void fullQueueRejectsAtOnceNamingTheLimit() throws Exception {
    start(batching(1, 0, 2));
    instance.hold();
    scheduler.submit(request("running", 1));
    assertTrue(instance.started.await(5, TimeUnit.SECONDS));
    scheduler.submit(request("q1", 1));
    scheduler.submit(request("q2", 1));
    ResourceExhaustedException error =
        assertThrows(ResourceExhaustedException.class, () -> scheduler.submit(request("q3", 1)));
    assertTrue(error.getMessage().contains("max_queue_size is 2"), error.getMessage());
  }

  @Test
  void requestWhoseDeadlineHasPassedIsRefusedBeforeQueueing() {
    start(batching(8, 0, 16));
    assertThrows(DeadlineExceededException.class,
        () -> scheduler.submit(request("past", 1, 1, System.nanoTime() - 1)));
  }

  @Test
  void backendFailureFailsOnlyItsBatch() throws Exception {
    start(batching(8, 0, 16));
    instance.fail = true;
    CompletableFuture<Map<String, Tensor>> failed = new CompletableFuture<>();
    scheduler.submit(request("doomed", 1, 4, 1f, 1, InferenceRequest.NO_DEADLINE, failed));
    Throwable error = failureOf(failed);
    assertInstanceOf(InternalException.class, error);
    assertTrue(error.getMessage().contains("fake failure"), error.getMessage());
    instance.fail = false;
    CompletableFuture<Map<String, Tensor>> next = new CompletableFuture<>();
    scheduler.submit(request("next", 1, 4, 2f, 1, InferenceRequest.NO_DEADLINE, next));
    assertEquals(4f, floats(next.get(5, TimeUnit.SECONDS))[0]);
    awaitRecords(2);
    assertTrue(!records.get(0).succeeded() && records.get(1).succeeded());
  }

  @Test
  void shutdownDrainsQueuedRequestsThenRefusesNewOnes() throws Exception {
    start(batching(2, 1_000_000, 16));
    List<CompletableFuture<Map<String, Tensor>>> outcomes = new ArrayList<>();
    instance.hold();
    for (int i = 0; i < 5; i++) {
      CompletableFuture<Map<String, Tensor>> outcome = new CompletableFuture<>();
      scheduler.submit(request("r" + i, 1, 4, i, 1, InferenceRequest.NO_DEADLINE, outcome));
      outcomes.add(outcome);
    }
    instance.open();
    scheduler.shutdown(Duration.ofSeconds(5));
    for (CompletableFuture<Map<String, Tensor>> outcome : outcomes) {
      outcome.get(5, TimeUnit.SECONDS);
    }
    assertTrue(instance.closed);
    assertThrows(UnavailableException.class, () -> scheduler.submit(request("late", 1)));
  }

  @Test
  void requestsLeftAfterTheDrainTimeoutAreAnsweredUnavailable() throws Exception {
    start(batching(1, 0, 16));
    instance.hold();
    scheduler.submit(request("stuck", 1));
    assertTrue(instance.started.await(5, TimeUnit.SECONDS));
    CompletableFuture<Map<String, Tensor>> waiting = new CompletableFuture<>();
    scheduler.submit(request("waiting", 1, 4, 0f, 1, InferenceRequest.NO_DEADLINE, waiting));
    Thread opener = new Thread(() -> {
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      instance.open();
    });
    opener.start();
    scheduler.shutdown(Duration.ofMillis(50));
    assertInstanceOf(UnavailableException.class, failureOf(waiting));
    opener.join();
  }

  private static BatchingPolicy withQueuePolicy(QueuePolicy queuePolicy, boolean preserveOrdering) {
    return new BatchingPolicy(1, true, new int[0], 0, preserveOrdering, 1, List.of(queuePolicy), 0);
  }

  @Test
  void queueTimeoutUnderRejectAnswersDeadlineExceeded() throws Exception {
    start(withQueuePolicy(new QueuePolicy(QueuePolicy.TimeoutAction.REJECT,
        TimeUnit.MILLISECONDS.toNanos(30), false, 16), false));
    instance.hold();
    scheduler.submit(request("running", 1));
    assertTrue(instance.started.await(5, TimeUnit.SECONDS));
    CompletableFuture<Map<String, Tensor>> waiting = new CompletableFuture<>();
    scheduler.submit(request("waiting", 1, 4, 5f, 1, InferenceRequest.NO_DEADLINE, waiting));
    Throwable error = failureOf(waiting);
    assertInstanceOf(DeadlineExceededException.class, error);
    assertTrue(error.getMessage().contains("queue timeout passed"), error.getMessage());
  }

  @Test
  void queueTimeoutUnderDelayMovesTheRequestBehindTimelyOnes() throws Exception {
    start(withQueuePolicy(new QueuePolicy(QueuePolicy.TimeoutAction.DELAY, 0, true, 16), false));
    instance.hold();
    scheduler.submit(request("running", 1, 4, 0f, 1, InferenceRequest.NO_DEADLINE,
        new CompletableFuture<>()));
    assertTrue(instance.started.await(5, TimeUnit.SECONDS));
    CompletableFuture<Map<String, Tensor>> slow = new CompletableFuture<>();
    scheduler.submit(new InferenceRequest("slow", request("x", 1).inputs(), java.util.Set.of("y"),
        1, 1, InferenceRequest.NO_DEADLINE, TimeUnit.MILLISECONDS.toNanos(20),
        request("slow", 1, 4, 1f, 1, InferenceRequest.NO_DEADLINE, slow).listener()));
    CompletableFuture<Map<String, Tensor>> timely = new CompletableFuture<>();
    scheduler.submit(request("timely", 1, 4, 2f, 1, InferenceRequest.NO_DEADLINE, timely));
    Thread.sleep(100);
    instance.open();
    slow.get(5, TimeUnit.SECONDS);
    timely.get(5, TimeUnit.SECONDS);
    assertEquals(List.of(0f, 2f, 0f), instance.firstValues);
  }

  @Test
  void preserveOrderingHoldsLaterResponsesUntilEarlierOnesAreDone() throws Exception {
    FakeInstance second = new FakeInstance();
    second.holdOnly(1f);
    instance.holdOnly(1f);
    scheduler = new ModelScheduler("model 'fake' version 1", "test-fake",
        withQueuePolicy(new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, 0, false, 16), true),
        List.of(instance, second), timer, Ticker.SYSTEM, records::add, Duration.ZERO);
    List<String> delivered = new CopyOnWriteArrayList<>();
    CompletableFuture<Map<String, Tensor>> first = new CompletableFuture<>();
    CompletableFuture<Map<String, Tensor>> later = new CompletableFuture<>();
    first.thenRun(() -> delivered.add("first"));
    later.thenRun(() -> delivered.add("later"));
    scheduler.submit(request("first", 1, 4, 1f, 1, InferenceRequest.NO_DEADLINE, first));
    scheduler.submit(request("later", 1, 4, 2f, 1, InferenceRequest.NO_DEADLINE, later));
    awaitRecords(1);
    assertTrue(!later.isDone() && !first.isDone());
    instance.open();
    second.open();
    first.get(5, TimeUnit.SECONDS);
    later.get(5, TimeUnit.SECONDS);
    assertEquals(List.of("first", "later"), delivered);
    second.close();
  }

  @Test
  void requestsThatFillTheBatchDispatchItWithoutWaitingForTheDelay() throws Exception {
    start(batching(4, 10_000_000, 16));
    CompletableFuture<Map<String, Tensor>> first = new CompletableFuture<>();
    CompletableFuture<Map<String, Tensor>> second = new CompletableFuture<>();
    scheduler.submit(request("first", 2, 4, 1f, 1, InferenceRequest.NO_DEADLINE, first));
    scheduler.submit(request("second", 2, 4, 2f, 1, InferenceRequest.NO_DEADLINE, second));
    first.get(5, TimeUnit.SECONDS);
    second.get(5, TimeUnit.SECONDS);
    ExecutionRecord batch = awaitRecords(1).get(0);
    assertEquals(4, batch.items());
    assertEquals(DispatchReason.FULL, batch.reason());
  }
}
