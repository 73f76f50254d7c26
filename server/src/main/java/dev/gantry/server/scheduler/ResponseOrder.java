package dev.gantry.server.scheduler;

import java.util.HashMap;
import java.util.Map;

/**
 * Releases request outcomes in the order the requests were queued, for {@code preserve_ordering};
 * without it, every outcome goes out the moment it is ready.
 *
 * <p>Every queued request completes exactly once (answered, failed, expired or cancelled), so the
 * sequence has no gaps and a held outcome is released as soon as all earlier ones are.
 */
final class ResponseOrder {
  private final boolean preserve;
  private final Map<Long, Runnable> held = new HashMap<>();
  private long next;

  ResponseOrder(boolean preserve) {
    this.preserve = preserve;
  }

  /** Delivers the outcome of the request queued {@code sequence}-th, now or when its turn comes. */
  void complete(long sequence, Runnable delivery) {
    if (!preserve) {
      delivery.run();
      return;
    }
    synchronized (this) {
      held.put(sequence, delivery);
      Runnable due;
      while ((due = held.remove(next)) != null) {
        next++;
        due.run();
      }
    }
  }
}
