package dev.gantry.server.scheduler;

import static dev.gantry.server.scheduler.Requests.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Batch formation decided with exact times: no threads, no sleeps. */
class RequestQueueTest {
  private static final long US = 1_000;
  private static final long NONE = InferenceRequest.NO_DEADLINE;

  private static BatchingPolicy batching(int max, long delayNanos, int levels, int... preferred) {
    List<QueuePolicy> policies = java.util.Collections.nCopies(levels,
        new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, 0, false, 8));
    return new BatchingPolicy(max, true, preferred, delayNanos, false, 1, policies, 0);
  }

  private static Plan.Dispatch dispatch(Plan plan) {
    return assertInstanceOf(Plan.Dispatch.class, plan);
  }

  private static List<String> ids(Plan.Dispatch dispatch) {
    return dispatch.batch().stream().map(InferenceRequest::id).toList();
  }

  @Test
  void emptyQueueIsIdle() {
    assertInstanceOf(Plan.Idle.class, new RequestQueue(batching(4, 0, 1)).next(0, false));
  }

  @Test
  void unbatchedModelRunsRequestsOneAtATimeInArrivalOrder() {
    RequestQueue queue = new RequestQueue(BatchingPolicy.unbatched(8));
    queue.offer(request("a", 1), 0, NONE);
    queue.offer(request("b", 1), 0, NONE);
    Plan.Dispatch first = dispatch(queue.next(0, false));
    assertEquals(List.of("a"), ids(first));
    assertEquals(DispatchReason.UNBATCHED, first.reason());
    assertEquals(List.of("b"), ids(dispatch(queue.next(0, false))));
  }

  @Test
  void waitsForTheDelayThenDispatchesWhatIsThere() {
    RequestQueue queue = new RequestQueue(batching(4, 100 * US, 1));
    queue.offer(request("a", 1), 0, NONE);
    queue.offer(request("b", 1), 10 * US, NONE);
    assertEquals(new Plan.WaitUntil(100 * US), queue.next(50 * US, false));
    Plan.Dispatch batch = dispatch(queue.next(100 * US, false));
    assertEquals(List.of("a", "b"), ids(batch));
    assertEquals(2, batch.items());
    assertEquals(DispatchReason.DELAY, batch.reason());
    assertEquals(0, queue.size());
  }

  @Test
  void fullBatchGoesAtOnce() {
    RequestQueue queue = new RequestQueue(batching(4, 1_000_000 * US, 1));
    for (String id : List.of("a", "b", "c", "d", "e")) {
      queue.offer(request(id, 1), 0, NONE);
    }
    Plan.Dispatch batch = dispatch(queue.next(0, false));
    assertEquals(List.of("a", "b", "c", "d"), ids(batch));
    assertEquals(DispatchReason.FULL, batch.reason());
    assertEquals(1, queue.size());
  }

  @Test
  void requestsCarryingSeveralItemsNeverOverflowTheBatch() {
    RequestQueue queue = new RequestQueue(batching(4, 100 * US, 1));
    queue.offer(request("three", 3), 0, NONE);
    queue.offer(request("two", 2), 0, NONE);
    queue.offer(request("one", 1), 0, NONE);
    Plan.Dispatch batch = dispatch(queue.next(0, false));
    assertEquals(List.of("three", "one"), ids(batch));
    assertEquals(4, batch.items());
    assertEquals(DispatchReason.FULL, batch.reason());
    assertEquals(new Plan.WaitUntil(100 * US), queue.next(0, false));
  }

  @Test
  void preferredSizeDispatchesWithoutWaiting() {
    RequestQueue queue = new RequestQueue(batching(8, 1_000_000 * US, 1, 2, 4));
    for (String id : List.of("a", "b", "c")) {
      queue.offer(request(id, 1), 0, NONE);
    }
    Plan.Dispatch batch = dispatch(queue.next(0, false));
    assertEquals(List.of("a", "b"), ids(batch));
    assertEquals(DispatchReason.PREFERRED, batch.reason());
  }

  @Test
  void largestPreferredSizeThatCanBeFormedWins() {
    RequestQueue queue = new RequestQueue(batching(8, 1_000_000 * US, 1, 2, 4));
    for (String id : List.of("a", "b", "c", "d", "e")) {
      queue.offer(request(id, 1), 0, NONE);
    }
    assertEquals(4, dispatch(queue.next(0, false)).items());
  }

  @Test
  void requestsWithDifferentShapesAreNeverMixed() {
    RequestQueue queue = new RequestQueue(batching(8, 0, 1));
    queue.offer(request("narrow", 1, 4, 0f, 1, InferenceRequest.NO_DEADLINE,
        new CompletableFuture<>()), 0, NONE);
    queue.offer(request("wide", 1, 5, 0f, 1, InferenceRequest.NO_DEADLINE,
        new CompletableFuture<>()), 0, NONE);
    queue.offer(request("narrow2", 1, 4, 0f, 1, InferenceRequest.NO_DEADLINE,
        new CompletableFuture<>()), 0, NONE);
    assertEquals(List.of("narrow", "narrow2"), ids(dispatch(queue.next(0, false))));
    assertEquals(List.of("wide"), ids(dispatch(queue.next(0, false))));
  }

  @Test
  void zeroDelayDispatchesImmediately() {
    RequestQueue queue = new RequestQueue(batching(8, 0, 1));
    queue.offer(request("a", 1), 0, NONE);
    Plan.Dispatch batch = dispatch(queue.next(0, false));
    assertEquals(DispatchReason.DELAY, batch.reason());
  }

  @Test
  void higherPriorityIsServedFirstAndLeadsTheBatch() {
    RequestQueue queue = new RequestQueue(batching(2, 0, 2));
    queue.offer(request("low1", 1, 2, InferenceRequest.NO_DEADLINE), 0, NONE);
    queue.offer(request("low2", 1, 2, InferenceRequest.NO_DEADLINE), 0, NONE);
    queue.offer(request("high", 1, 1, InferenceRequest.NO_DEADLINE), 5, NONE);
    assertEquals(List.of("high", "low1"), ids(dispatch(queue.next(5, false))));
    assertEquals(List.of("low2"), ids(dispatch(queue.next(5, false))));
  }

  @Test
  void deadlineBeforeTheDelayEndsDispatchesEarly() {
    RequestQueue queue = new RequestQueue(batching(8, 1_000 * US, 1));
    queue.offer(request("urgent", 1, 1, 500 * US), 0, 500 * US);
    Plan.Dispatch batch = dispatch(queue.next(0, false));
    assertEquals(DispatchReason.DEADLINE, batch.reason());
  }

  @Test
  void fullLevelRefusesFurtherRequests() {
    RequestQueue queue = new RequestQueue(batching(8, 0, 1));
    for (int i = 0; i < 8; i++) {
      assertTrue(queue.offer(request("r" + i, 1), 0, NONE));
    }
    assertFalse(queue.offer(request("overflow", 1), 0, NONE));
    assertEquals(8, queue.size(1));
  }

  @Test
  void drainingDispatchesAPartialBatchAtOnce() {
    RequestQueue queue = new RequestQueue(batching(8, 1_000_000 * US, 1));
    queue.offer(request("a", 1), 0, NONE);
    assertEquals(DispatchReason.DRAIN, dispatch(queue.next(0, true)).reason());
  }

  @Test
  void removedRequestIsNotDispatched() {
    RequestQueue queue = new RequestQueue(batching(8, 0, 1));
    InferenceRequest gone = request("gone", 1);
    queue.offer(gone, 0, NONE);
    queue.offer(request("kept", 1), 0, NONE);
    assertTrue(queue.remove(gone));
    assertFalse(queue.remove(gone));
    assertEquals(List.of("kept"), ids(dispatch(queue.next(0, false))));
  }

  @Test
  void delayedRequestGoesBehindTheTimelyOnesOfItsLevel() {
    RequestQueue queue = new RequestQueue(batching(8, 0, 2));
    InferenceRequest late = request("late", 1);
    queue.offer(late, 0, NONE);
    queue.offer(request("timely", 1), 0, NONE);
    queue.offer(request("low", 1, 2, NONE), 0, NONE);
    assertTrue(queue.delay(late));
    assertFalse(queue.delay(late));
    assertEquals(List.of("timely", "late", "low"), ids(dispatch(queue.next(0, false))));
  }

  @Test
  void countsQueuedBatchItems() {
    RequestQueue queue = new RequestQueue(batching(8, 0, 1));
    InferenceRequest three = request("three", 3);
    queue.offer(three, 0, NONE);
    queue.offer(request("two", 2), 0, NONE);
    assertEquals(5, queue.items());
    queue.remove(three);
    assertEquals(2, queue.items());
    queue.drain();
    assertEquals(0, queue.items());
  }
}
