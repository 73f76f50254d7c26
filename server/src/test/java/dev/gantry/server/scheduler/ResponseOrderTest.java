package dev.gantry.server.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/** Ordered release of outcomes, with outcomes bound for an executor collected per batch. */
class ResponseOrderTest {
  private final List<String> received = new CopyOnWriteArrayList<>();
  /** An event loop stand-in: runs each task it is handed at once, in the order handed. */
  private final Executor loop = task -> task.run();

  private Runnable delivery(String name) {
    return () -> Outbox.post(loop, () -> received.add(name));
  }

  @Test
  void anOutcomeReleasedInOrderReachesItsExecutorBeforeOnesReleasedLaterByOtherThreads()
      throws InterruptedException {
    ResponseOrder order = new ResponseOrder(true);
    Outbox.collecting(() -> {
      order.complete(0, delivery("r0"));
      Thread other = new Thread(() -> order.complete(1, delivery("r1")));
      other.start();
      try {
        other.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertEquals(List.of("r0", "r1"), received);
  }

  @Test
  void aHeldOutcomeIsReleasedWithTheEarlierOneThatFreesIt() {
    ResponseOrder order = new ResponseOrder(true);
    order.complete(1, delivery("r1"));
    assertEquals(List.of(), received);
    Outbox.collecting(() -> order.complete(0, delivery("r0")));
    assertEquals(List.of("r0", "r1"), received);
  }

  @Test
  void withoutPreserveOrderingOutcomesOfOneCollectionGoTogetherAtItsEnd() {
    ResponseOrder order = new ResponseOrder(false);
    Outbox.collecting(() -> {
      order.complete(1, delivery("r1"));
      order.complete(0, delivery("r0"));
      assertEquals(List.of(), received, "held until the collection ends");
    });
    assertEquals(List.of("r1", "r0"), received);
  }
}
